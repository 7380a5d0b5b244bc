//! Process cases end to end: `mandate check --as-of DATE` on the worked
//! example (a case still waiting for a stage past its deadline becomes a
//! finding), and a CSV event log giving the findings of its XES original.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn mandate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mandate"))
        .env_remove("MANDATE_WORKSPACE")
        .args(args)
        .output()
        .unwrap()
}

fn findings_after(ws: &str, extra: &[&str]) -> String {
    let mut args = vec!["-w", ws, "check"];
    args.extend_from_slice(extra);
    let out = mandate(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(std::path::Path::new(ws).join("findings.jsonl")).unwrap()
}

#[test]
fn an_unfinished_petition_past_its_deadline_is_found_as_of_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    assert!(mandate(&["init", ws]).status.success());
    let cases = format!("{REPO}/examples/city/cases.jsonl");
    assert!(mandate(&["-w", ws, "import", &cases]).status.success());

    // examples/city/expected-cases.md: petition-2025-002 was accepted on
    // 2025-10-11 and never concluded; 60 days later is 2025-12-10, and
    // 2026-12-01 is 21 + 31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 1 = 356 days after.
    let overdue = "In case petition-2025-002, petition concluded (办结) has still not happened on \
                   2026-12-01, 356 days after the deadline of 2025-12-10 (60 days after 'acceptance \
                   decided' on 2025-10-11 16:00).";
    assert!(!findings_after(ws, &[]).contains("has still not happened"));
    assert!(findings_after(ws, &["--as-of", "2026-12-01"]).contains(overdue));
    // On the due date itself it is not late yet.
    assert!(!findings_after(ws, &["--as-of", "2025-12-10"]).contains("petition-2025-002, petition concluded"));

    let bad = mandate(&["-w", ws, "check", "--as-of", "1 December"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--as-of"));
}

#[test]
fn a_csv_export_gives_the_same_findings_as_its_xes_original() {
    // PM4Py exported tests/fixtures/process-logs/receipt.csv.gz from
    // data/process-logs/wabo-receipt/08_receipt.xes.gz; the XES gives 84
    // findings of nl-wabo.within-decision-period (tests/oracle/expected_findings.py).
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    assert!(mandate(&["init", ws]).status.success());
    let csv = format!("{REPO}/tests/fixtures/process-logs/receipt.csv.gz");
    let process = "Receipt phase of an environmental permit application process (‘WABO’), CoSeLoG project";
    let out = mandate(&["-w", ws, "import", &csv, "--process", process]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("10011 accepted, 0 rejected"));
    let findings = findings_after(ws, &[]);
    let late = findings
        .lines()
        .filter(|l| l.contains("\"rule_id\":\"nl-wabo.within-decision-period\""))
        .count();
    assert_eq!(late, 84);
}

#[test]
fn precheck_says_before_the_act_what_it_would_break() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    assert!(mandate(&["init", ws]).status.success());
    let cases = format!("{REPO}/examples/city/cases.jsonl");
    assert!(mandate(&["-w", ws, "import", &cases]).status.success());
    std::fs::copy(
        format!("{REPO}/examples/city/city.toml"),
        std::path::Path::new(ws).join("rules/city.toml"),
    )
    .unwrap();
    let size_before = std::fs::metadata(std::path::Path::new(ws).join("mandate.db"))
        .unwrap()
        .len();

    let propose = |name: &str, json: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, json).unwrap();
        mandate(&["-w", ws, "precheck", path.to_str().unwrap()])
    };
    // petition-2025-002 was accepted on 2025-10-11: due 2025-12-10 (60 days);
    // concluding it on 2026-01-20 would be 21 + 20 = 41 days late.
    let late = propose(
        "late.json",
        r#"{"kind":"process_event","process":"cn.petition","case_id":"petition-2025-002","activity":"petition concluded","time":"2026-01-20T10:00:00+08:00","resource":"p.dong"}"#,
    );
    let text = String::from_utf8_lossy(&late.stdout);
    assert_eq!(late.status.code(), Some(1), "{text}");
    assert!(text.contains("WOULD BREAK"), "{text}");
    assert!(text.contains("cn.petition.concluded-within-60-days"), "{text}");
    assert!(
        text.contains("41 days after the deadline of 2025-12-10"),
        "{text}"
    );

    let in_time = propose(
        "in-time.json",
        r#"{"kind":"process_event","process":"cn.petition","case_id":"petition-2025-002","activity":"petition concluded","time":"2025-12-01T10:00:00+08:00","resource":"p.dong"}"#,
    );
    let text = String::from_utf8_lossy(&in_time.stdout);
    assert!(in_time.status.success(), "{text}");
    assert!(text.contains("breaks no rule"), "{text}");

    // An act: expected-acts.md, act-027 (3 of 6 members for an appointment).
    let acts = std::fs::read_to_string(format!("{REPO}/examples/city/acts.jsonl")).unwrap();
    let act = acts.lines().find(|l| l.contains("\"act-027\"")).unwrap();
    let refused = propose("act.json", act);
    let text = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{text}");
    assert!(text.contains("qinghe.party.appointment"), "{text}");

    // Nothing proposed was logged.
    let size_after = std::fs::metadata(std::path::Path::new(ws).join("mandate.db"))
        .unwrap()
        .len();
    assert_eq!(size_before, size_after);
}

/// Lines a running process prints, read on a thread so a test can wait with a timeout.
fn lines_of(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (send, receive) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if send.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    receive
}

#[test]
fn follow_reports_records_as_they_come_and_deadlines_as_they_pass() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    assert!(mandate(&["init", ws]).status.success());
    std::fs::copy(
        format!("{REPO}/examples/city/city.toml"),
        std::path::Path::new(ws).join("rules/city.toml"),
    )
    .unwrap();
    let cases = format!("{REPO}/examples/city/cases.jsonl");
    assert!(mandate(&["-w", ws, "import", &cases]).status.success());

    // Two seconds before midnight on the due date of petition-2025-002
    // (accepted 2025-10-11, concluded within 60 days: 2025-12-10).
    let mut follower = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .env_remove("MANDATE_WORKSPACE")
        .args(["-w", ws, "check", "--follow", "--interval", "0.2"])
        .args(["--now", "2025-12-10T23:59:58+08:00"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut follower);
    let wait = std::time::Duration::from_secs(30);
    let next = |what: &str| {
        let line = lines
            .recv_timeout(wait)
            .unwrap_or_else(|_| panic!("no finding: {what}"));
        serde_json::from_str::<serde_json::Value>(&line).unwrap()
    };

    // The clock, not a record, brings the first finding once the day is over.
    let overdue = next("the missed deadline");
    assert_eq!(overdue["rule_id"], "cn.petition.concluded-within-60-days");
    assert_eq!(
        overdue["explanation"],
        "In case petition-2025-002, petition concluded (办结) has still not happened on 2025-12-11, \
         1 day after the deadline of 2025-12-10 (60 days after 'acceptance decided' on 2025-10-11 16:00)."
    );

    // Acts imported meanwhile are judged as they arrive: expected-acts.md counts 30 findings.
    let acts = format!("{REPO}/examples/city/acts.jsonl");
    assert!(mandate(&["-w", ws, "import", &acts]).status.success());
    let mut on_acts = Vec::new();
    for _ in 0..30 {
        let finding = next("a finding on an act");
        assert_eq!(finding["subject"]["kind"], "act");
        on_acts.push(finding["subject"]["id"].as_str().unwrap().to_string());
    }
    assert!(on_acts.contains(&"act-027".to_string()));
    assert!(
        lines.recv_timeout(std::time::Duration::from_secs(1)).is_err(),
        "nothing more"
    );

    follower.kill().unwrap();
    follower.wait().unwrap();
}

#[test]
fn follow_holds_a_finding_until_records_that_could_undo_it_can_no_longer_come() {
    // A trip recorded by date only (00:00) whose permit is approved later
    // that day is in order (bpi.trip-after-permit-approval counts the same
    // day as in time): reporting the trip the moment it arrived would have
    // been wrong. Trip A gets its approval later; trip B never does.
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    assert!(mandate(&["init", ws]).status.success());
    let event = |case: &str, activity: &str, time: &str| {
        format!(
            r#"{{"kind":"process_event","process":"Travel Permits","case_id":"{case}","activity":"{activity}","time":"{time}"}}"#
        )
    };
    let trips = dir.path().join("trips.jsonl");
    std::fs::write(
        &trips,
        [
            event("A", "Start trip", "2018-03-23T00:00:00+01:00"),
            event("B", "Start trip", "2018-03-23T00:00:00+01:00"),
        ]
        .join("\n"),
    )
    .unwrap();
    let approval = dir.path().join("approval.jsonl");
    std::fs::write(
        &approval,
        event(
            "A",
            "Permit FINAL_APPROVED by SUPERVISOR",
            "2018-03-23T14:07:43+01:00",
        ),
    )
    .unwrap();

    // Five seconds before the trips' day is over.
    let mut follower = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .env_remove("MANDATE_WORKSPACE")
        .args(["-w", ws, "check", "--follow", "--interval", "0.1"])
        .args(["--now", "2018-03-23T23:59:55+01:00"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut follower);
    assert!(mandate(&["-w", ws, "import", trips.to_str().unwrap()])
        .status
        .success());
    assert!(mandate(&["-w", ws, "import", approval.to_str().unwrap()])
        .status
        .success());

    let line = lines
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("trip B reported once its day is over");
    let finding: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(finding["rule_id"], "bpi.trip-after-permit-approval");
    assert_eq!(finding["subject"]["id"], "Travel Permits/B");
    assert!(
        lines.recv_timeout(std::time::Duration::from_secs(2)).is_err(),
        "trip A is in order"
    );

    follower.kill().unwrap();
    follower.wait().unwrap();
}

#[test]
fn follow_forgets_idle_cases_and_recalls_them_from_the_log() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    assert!(mandate(&["init", ws]).status.success());
    let cases = format!("{REPO}/examples/city/cases.jsonl");
    assert!(mandate(&["-w", ws, "import", &cases]).status.success());

    // Every case of the example had its last event in 2025 or early 2026.
    let mut follower = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .env_remove("MANDATE_WORKSPACE")
        .args([
            "-w",
            ws,
            "check",
            "--follow",
            "--interval",
            "0.1",
            "--forget-after",
            "30",
        ])
        .args(["--now", "2026-06-01T10:00:00+08:00"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut follower);
    let (send, status) = std::sync::mpsc::channel();
    let stderr = follower.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let _ = send.send(line.unwrap());
        }
    });
    let wait = std::time::Duration::from_secs(30);
    let status_line = |expected: &str| loop {
        let line = status
            .recv_timeout(wait)
            .unwrap_or_else(|_| panic!("no status {expected}"));
        if line == expected {
            break;
        }
    };
    // The first sweep reports the petition still open, then every case is idle and forgotten.
    let overdue: serde_json::Value = serde_json::from_str(&lines.recv_timeout(wait).unwrap()).unwrap();
    assert_eq!(overdue["subject"]["id"], "cn.petition/petition-2025-002");
    status_line("cases in memory: 0");

    let event = |case: &str, activity: &str, time: &str| {
        format!(
            r#"{{"kind":"process_event","process":"cn.petition","case_id":"{case}","activity":"{activity}","time":"{time}","resource":"p.dong"}}"#
        )
    };
    // The forgotten petition is concluded at last: read back from the log, its
    // missed deadline was reported already, so nothing new is printed. A new
    // petition accepted after 20 days breaks the 15-day rule.
    let more = dir.path().join("more.jsonl");
    std::fs::write(
        &more,
        [
            event(
                "petition-2025-002",
                "petition concluded",
                "2026-06-01T09:00:00+08:00",
            ),
            event(
                "petition-2026-009",
                "petition received",
                "2026-05-01T09:00:00+08:00",
            ),
            event(
                "petition-2026-009",
                "acceptance decided",
                "2026-05-21T09:00:00+08:00",
            ),
        ]
        .join("\n"),
    )
    .unwrap();
    assert!(mandate(&["-w", ws, "import", more.to_str().unwrap()])
        .status
        .success());
    let next: serde_json::Value = serde_json::from_str(&lines.recv_timeout(wait).unwrap()).unwrap();
    assert_eq!(next["subject"]["id"], "cn.petition/petition-2026-009");
    assert_eq!(next["rule_id"], "cn.petition.acceptance-within-15-days");
    assert!(
        lines.recv_timeout(std::time::Duration::from_secs(1)).is_err(),
        "no duplicate"
    );

    follower.kill().unwrap();
    follower.wait().unwrap();
}
