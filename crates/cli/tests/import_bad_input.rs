//! `mandate import` on bad input: each bad record is reported with file and
//! position, the good ones are kept, and the summary counts both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

fn mandate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn broken_lines_are_reported_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    assert!(mandate(&["init", ws]).status.success());

    let input = dir.path().join("releases.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"ocid\":\"ocds-x-1\",\"id\":\"1\",\"date\":\"2020-01-01T00:00:00Z\"}\n",
            "{\"ocid\":\"ocds-x-2\",\"id\":\n",
            "{\"id\":\"3\"}\n",
            "{\"ocid\":\"ocds-x-4\",\"id\":\"4\"}\n",
        ),
    )
    .unwrap();
    let out = mandate(&["-w", ws, "import", input.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("total: 2 accepted, 2 rejected"), "{stdout}");
    let file = input.display().to_string();
    assert!(stderr.contains(&format!("rejected: {file}: line 2")), "{stderr}");
    assert!(stderr.contains(&format!("rejected: {file}: line 3")), "{stderr}");
    assert!(stderr.contains("ocid"), "{stderr}");

    // Importing the same file again appends nothing.
    let again = mandate(&["-w", ws, "import", input.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already imported"));
    let verify = mandate(&["-w", ws, "log", "verify"]);
    assert!(String::from_utf8_lossy(&verify.stdout).starts_with("OK: 2 entries"));
}

#[test]
fn an_unknown_format_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    assert!(mandate(&["init", ws]).status.success());
    let input = dir.path().join("notes.txt");
    std::fs::write(&input, "hello\n").unwrap();
    let out = mandate(&["-w", ws, "import", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&input.display().to_string()), "{stderr}");
}

#[test]
fn commands_outside_a_workspace_say_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = mandate(&["-w", dir.path().to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mandate init"));
}

#[test]
fn an_unreadable_file_is_named_and_the_other_files_are_imported() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    assert!(mandate(&["init", ws]).status.success());
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("a")).unwrap();
    std::fs::create_dir_all(data.join("b")).unwrap();
    std::fs::write(data.join("a/1.jsonl"), "{\"ocid\":\"ocds-x-1\",\"id\":\"1\"}\n").unwrap();
    std::fs::write(data.join("a/2.json"), "").unwrap(); // empty: no format
                                                        // A truncated first line must not hide the good lines after it.
    std::fs::write(
        data.join("b/3.jsonl"),
        "{\"ocid\":\"ocds-x-3\",\"tender\":{\n{\"ocid\":\"ocds-x-4\",\"id\":\"4\"}\n",
    )
    .unwrap();
    let out = mandate(&["-w", ws, "import", data.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("2.json: unrecognised format: the file is empty"),
        "{stderr}"
    );
    assert!(stdout.contains("not imported"), "{stdout}");
    assert!(stdout.contains("total: 2 accepted, 1 rejected"), "{stdout}");
    assert!(stderr.contains("3.jsonl: line 1"), "{stderr}");
    // The report lists the rejection with its position and reason (the
    // broken line, `{"ocid":"ocds-x-3","tender":{`, ends at column 29).
    assert!(mandate(&["-w", ws, "check"]).status.success());
    assert!(mandate(&["-w", ws, "report"]).status.success());
    let report = std::fs::read_to_string(Path::new(ws).join("report.html")).unwrap();
    assert!(
        report.contains("line 1 (document): invalid JSON at column 29: EOF while parsing an object"),
        "{report}"
    );
}
