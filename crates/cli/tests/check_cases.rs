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
