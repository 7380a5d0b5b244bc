//! `mandate indicators`: screening OCDS files without a workspace. Bad
//! records are reported with file, line and field and the rest is screened;
//! releases of one process are merged across files; output is repeatable.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn mandate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mandate"))
        .env_remove("MANDATE_WORKSPACE")
        .args(args)
        .output()
        .unwrap()
}

const PACK: &str = r#"
[pack]
id = "t"
title = "T"
version = "1"
jurisdiction = "X"

[[indicator]]
id = "single"
title = "Single bid"
severity = "medium"
kind = "single_bid"
procurement_methods = ["open"]
legal_basis = { source = "X", text = "One bid." }
"#;

fn rules(dir: &Path) -> String {
    let rules = dir.join("rules");
    std::fs::create_dir_all(rules.join("codelists")).unwrap();
    std::fs::write(rules.join("t.toml"), PACK).unwrap();
    std::fs::write(
        rules.join("codelists/x.toml"),
        "[codelist]\nid = \"x\"\npublisher = \"X\"\nocid_prefixes = [\"ocds-x-\"]\n[procurement_method]\n\"Licitaţie publică\" = \"open\"\n",
    )
    .unwrap();
    rules.display().to_string()
}

fn findings(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn bad_lines_are_reported_with_file_line_and_field_and_the_rest_is_screened() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("compiled.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"ocid":"ocds-x-1","id":"1","tag":["compiled"],"tender":{"procurementMethod":"Licitaţie publică","numberOfTenderers":1}}"#,
            "\n",
            r#"{"ocid":"ocds-x-2","id":"#,
            "\n",
            r#"{"id":"3","tag":["compiled"]}"#,
            "\n",
            r#"{"ocid":"ocds-x-4","id":"4","tag":["compiled"],"tender":{"procurementMethod":"open","numberOfTenderers":"one"}}"#,
            "\n",
            r#"{"ocid":"ocds-x-5","id":"5","tag":["compiled"],"tender":{"procurementMethod":"open","numberOfTenderers":2}}"#,
            "\n",
        ),
    )
    .unwrap();
    let rules = rules(dir.path());
    let file = input.display().to_string();
    let out = mandate(&["indicators", "--rules", &rules, "--json", &file]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("rejected: {file}: line 2 (document): invalid JSON")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "rejected: {file}: line 3 (release): field ocid: missing ocid"
        )),
        "{stderr}"
    );
    // Lines 1, 4 and 5 were screened: 1 is flagged (its method mapped by the
    // code list), 4 has a count of the wrong type, 5 has two tenderers.
    let found = findings(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["subject"]["id"], "ocds-x-1");
    assert_eq!(found[0]["evidence"][0]["log_index"], 0);
    assert_eq!(
        found[0]["evidence"][0]["note"],
        format!("compiled release, {file}: line 1 (release)")
    );
    assert!(stderr.contains(
        "Screened 3 contracting processes from 3 records in 1 files \
         (2 records rejected, 1 members of the wrong type)."
    ));
    assert!(
        stderr.contains("tender.numberOfTenderers is a string"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tender.procurementMethod: mapped Licitaţie publică → open (x): 1"),
        "{stderr}"
    );
}

#[test]
fn releases_of_one_process_are_merged_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.json");
    let second = dir.path().join("b.json");
    std::fs::write(
        &first,
        r#"{"releases":[{"ocid":"ocds-x-9","id":"t","date":"2020-01-01T00:00:00Z","tender":{"procurementMethod":"open"}}]}"#,
    )
    .unwrap();
    std::fs::write(
        &second,
        r#"{"ocid":"ocds-x-9","id":"b","date":"2020-02-01T00:00:00Z","bids":{"details":[{"id":"1","tenderers":[{"id":"T"}]}]}}"#,
    )
    .unwrap();
    let rules = rules(dir.path());
    let (a, b) = (first.display().to_string(), second.display().to_string());
    let out = mandate(&["indicators", "--rules", &rules, "--json", &a, &b]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let found = findings(&out);
    assert_eq!(found.len(), 1);
    let notes: Vec<&str> = found[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            format!("release, {a}: releases[0]"),
            format!("release, {b}: release")
        ]
    );

    // The same input gives the same bytes.
    let again = mandate(&["indicators", "--rules", &rules, "--json", &a, &b]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn the_shipped_packs_are_used_by_default_and_coverage_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("one.json");
    std::fs::write(
        &input,
        r#"{"ocid":"ocds-b5fd17-1","id":"1","tender":{"procurementMethodDetails":"Open procedure","tenderPeriod":{"startDate":"2017-01-02T00:00:00Z","endDate":"2017-01-20T00:00:00Z"}}}"#,
    )
    .unwrap();
    let coverage = dir.path().join("coverage.json");
    let out = mandate(&[
        "indicators",
        input.to_str().unwrap(),
        "--coverage",
        coverage.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // 18 days in a UK open procedure (the code list maps its free-text
    // procedure): short of the legal 30.
    assert!(stdout.contains("ocds.uk-short-tender-period"), "{stdout}");
    assert!(
        stdout.contains("should have run at least until 2017-02-01"),
        "{stdout}"
    );
    let coverage: Value = serde_json::from_slice(&std::fs::read(&coverage).unwrap()).unwrap();
    let rule = &coverage["rules"]["ocds.uk-short-tender-period"];
    assert_eq!(rule["flagged"], 1);
    assert_eq!(rule["by_source"][input.to_str().unwrap()]["flagged"], 1);
    assert_eq!(
        coverage["codes"]["tender.procurementMethodDetails"]["mapped"]
            ["Open procedure → open (uk-contracts-finder)"],
        1
    );
}

#[test]
fn a_missing_file_is_reported_and_the_others_are_screened() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("one.json");
    std::fs::write(&input, r#"{"ocid":"ocds-x-1","id":"1"}"#).unwrap();
    let missing = dir.path().join("missing.json");
    let out = mandate(&["indicators", missing.to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Named once, with the reason once.
    assert_eq!(
        stderr.matches(&missing.display().to_string()).count(),
        1,
        "{stderr}"
    );
    assert_eq!(stderr.matches("No such file or directory").count(), 1, "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Screened 1 contracting processes from 1 records in 1 files"),
        "{stdout}"
    );
    assert!(stdout.contains("NOT READ: 1 file,"), "{stdout}");
}

#[test]
fn a_wrong_type_in_merged_releases_names_the_lines_merged() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("two.jsonl");
    std::fs::write(
        &input,
        "{\"ocid\":\"ocds-x-9\",\"id\":\"1\",\"date\":\"2020-01-01T00:00:00Z\"}\n\
         {\"ocid\":\"ocds-x-9\",\"id\":\"2\",\"date\":\"2020-02-01T00:00:00Z\",\"awards\":[{\"id\":\"a\",\"value\":{\"amount\":\"\"}}]}\n",
    )
    .unwrap();
    let out = mandate(&["indicators", input.to_str().unwrap()]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "wrong type: {}: line 1 (release); line 2 (release), merged as ocid ocds-x-9: \
             field awards[0].value.amount: an empty string, expected a number",
            input.display()
        )),
        "{stderr}"
    );
}

#[test]
fn screening_nothing_is_an_error_not_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "not OCDS").unwrap();
    let out = mandate(&["indicators", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no data file in this folder or below"));

    let input = dir.path().join("one.JSON");
    std::fs::write(&input, r#"{"ocid":"ocds-x-1","id":"1"}"#).unwrap();
    let no_packs = dir.path().join("no-packs");
    std::fs::create_dir(&no_packs).unwrap();
    let out = mandate(&[
        "indicators",
        "--rules",
        no_packs.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rule pack with an [[indicator]]"));

    // An output path that cannot be written fails before the work.
    let coverage = dir.path().join("missing/coverage.json");
    let out = mandate(&[
        "indicators",
        "--coverage",
        coverage.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_folder_is_read_as_the_ocds_files_under_it() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ocds");
    let dir = tempfile::tempdir().unwrap();
    let verdicts = dir.path().join("verdicts.jsonl");
    let out = mandate(&[
        "indicators",
        "--json",
        data.to_str().unwrap(),
        "--verdicts",
        verdicts.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut per_rule = std::collections::BTreeMap::new();
    for finding in findings(&out) {
        *per_rule
            .entry(finding["rule_id"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    // The seven publishers' counts of the README, worked out by
    // tests/oracle/expected_findings.py.
    let expected = [
        ("ocds.all-except-winner-disqualified", 1),
        ("ocds.late-bid-won", 2),
        ("ocds.lowest-bid-disqualified", 3),
        ("ocds.short-submission-period", 47),
        ("ocds.single-bid", 4),
    ];
    assert_eq!(per_rule, expected.map(|(r, n)| (r.to_string(), n)).into());
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains("Screened 210 contracting processes"),
        "{summary}"
    );
    // Every verdict, one per line: the 57 findings, and which processes
    // could not be judged and why, e.g. the 11 Armenian tender periods that
    // end before they start (listed in bench/cardinal/README.md).
    let verdicts: Vec<Value> = std::fs::read_to_string(&verdicts)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let flagged = verdicts.iter().filter(|v| v["outcome"] == "flagged").count();
    assert_eq!(flagged, 57);
    let backwards: Vec<&str> = verdicts
        .iter()
        .filter(|v| v["detail"] == "tender.tenderPeriod ends before it starts")
        .map(|v| v["subject"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(backwards.len(), 11, "{backwards:?}");
    assert!(backwards.contains(&"AM-PPS-0aba93669165af87f1de5decd08272e2"));
}

/// The Armenian sample's 100 real releases, tagged compiled, in three
/// copies with fresh ocids: about 2 MB, so several blocks of the fast path.
fn armenian_compiled_lines() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("data/ocds/armenia/6.json")).unwrap())
            .unwrap();
    let mut out = String::new();
    for copy in 0..3 {
        for release in package["releases"].as_array().unwrap() {
            let mut release = release.clone();
            for key in ["ocid", "id"] {
                let fresh = format!("{}-c{copy}", release[key].as_str().unwrap());
                release[key] = Value::from(fresh);
            }
            release["tag"] = serde_json::json!(["compiled"]);
            out.push_str(&serde_json::to_string(&release).unwrap());
            out.push('\n');
        }
    }
    out
}

#[test]
fn the_parallel_fast_path_and_the_general_reader_agree_on_real_data() {
    // A plain JSON Lines file takes the fast path (blocks parsed on several
    // threads); the same lines gzipped take the general, one-record-at-a-time
    // reader. Same file name in two folders, so evidence notes match too.
    let lines = armenian_compiled_lines();
    assert!(
        lines.len() > 1 << 20,
        "{} bytes: want more than one block",
        lines.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let (plain, gzipped) = (dir.path().join("plain"), dir.path().join("gz"));
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::create_dir_all(&gzipped).unwrap();
    std::fs::write(plain.join("x.jsonl"), &lines).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, lines.as_bytes()).unwrap();
    std::fs::write(gzipped.join("x.jsonl"), gz.finish().unwrap()).unwrap();
    let run = |folder: &Path| {
        Command::new(env!("CARGO_BIN_EXE_mandate"))
            .env_remove("MANDATE_WORKSPACE")
            .current_dir(folder)
            .args(["indicators", "--json", "x.jsonl"])
            .output()
            .unwrap()
    };
    let (fast, general) = (run(&plain), run(&gzipped));
    assert!(fast.status.success() && general.status.success());
    assert_eq!(
        String::from_utf8_lossy(&fast.stdout),
        String::from_utf8_lossy(&general.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&fast.stderr),
        String::from_utf8_lossy(&general.stderr)
    );
    let summary = String::from_utf8_lossy(&fast.stderr);
    assert!(
        summary.contains("Screened 300 contracting processes from 300 records"),
        "{summary}"
    );
    assert!(!findings(&fast).is_empty());
}

#[test]
fn in_a_workspace_its_own_rules_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert!(mandate(&["init", ws.to_str().unwrap()]).status.success());
    // The workspace's pack replaced by one with a single indicator, `single`.
    for pack in std::fs::read_dir(ws.join("rules")).unwrap() {
        let path = pack.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::remove_file(path).unwrap();
        }
    }
    std::fs::write(ws.join("rules/t.toml"), PACK).unwrap();
    let input = dir.path().join("one.json");
    std::fs::write(
        &input,
        r#"{"ocid":"ocds-x-1","id":"1","tag":["compiled"],"tender":{"procurementMethod":"open","numberOfTenderers":1}}"#,
    )
    .unwrap();
    let out = mandate(&[
        "-w",
        ws.to_str().unwrap(),
        "indicators",
        "--json",
        input.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rules: Vec<Value> = findings(&out).iter().map(|f| f["rule_id"].clone()).collect();
    assert_eq!(rules, ["single"]);
}

#[test]
fn one_release_id_with_two_contents_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.jsonl");
    let release = |status: &str| {
        format!(
            r#"{{"ocid":"ocds-x-3","id":"1","date":"2021-01-01T00:00:00Z","tender":{{"status":"{status}"}}}}"#
        )
    };
    // The same release twice is no conflict; a changed one is.
    let lines = [release("active"), release("active"), release("complete")].join("\n");
    std::fs::write(&input, lines).unwrap();
    let out = mandate(&["indicators", input.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("conflict: ").count(), 1, "{stderr}");
    assert!(
        stderr.contains("conflict: ocid ocds-x-3: release id 1 has two different contents"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 1 (release)") && stderr.contains("line 3 (release)"),
        "{stderr}"
    );
}
