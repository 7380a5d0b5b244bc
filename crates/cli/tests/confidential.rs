//! Confidential records: the log holds only commitments; a disclosure lets
//! anyone check the content against the log; changed content or salt fails;
//! checks still see the content.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mandate(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mandate"))
        .arg("-w")
        .arg(ws)
        .args(args)
        .output()
        .unwrap()
}

fn verify(ws: &Path, disclosure: &str) -> Output {
    let file = ws.join("disclosure.json");
    std::fs::write(&file, disclosure).unwrap();
    mandate(ws, &["log", "verify-disclosure", file.to_str().unwrap()])
}

/// A new workspace with `records` (JSON Lines) imported as confidential.
fn confidential_workspace(dir: &Path, records: &str) -> PathBuf {
    let ws = dir.join("ws");
    assert!(Command::new(env!("CARGO_BIN_EXE_mandate"))
        .arg("init")
        .arg(&ws)
        .status()
        .unwrap()
        .success());
    let input = dir.join("secret.jsonl");
    std::fs::write(&input, records).unwrap();
    let out = mandate(&ws, &["import", "--confidential", input.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    ws
}

#[test]
fn confidential_records_are_committed_disclosed_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let ws = confidential_workspace(
        dir.path(),
        "{\"ocid\":\"ocds-secret-1\",\"id\":\"1\",\"tender\":{\"title\":\"Border fence\",\"procurementMethod\":\"open\",\"numberOfTenderers\":1}}\n",
    );
    assert!(mandate(&ws, &["log", "checkpoint"]).status.success());

    // The log itself holds no content: the entry is a commitment.
    let conn = rusqlite::Connection::open(ws.join("mandate.db")).unwrap();
    let body: Vec<u8> = conn
        .query_row("SELECT body FROM log_entries WHERE idx = 0", [], |r| r.get(0))
        .unwrap();
    let body = String::from_utf8(body).unwrap();
    assert!(body.starts_with("{\"commitment\":\""), "{body}");
    assert!(
        body.ends_with("\"kind\":\"commitment\",\"record_kind\":\"ocds_release\"}"),
        "{body}"
    );
    assert!(!body.contains("Border fence"));

    // Checks still see the content (a single bid in an open procedure).
    let check = mandate(&ws, &["check"]);
    assert!(check.status.success());
    let findings = std::fs::read_to_string(ws.join("findings.jsonl")).unwrap();
    assert!(findings.contains("\"rule_id\":\"ocds.single-bid\""), "{findings}");

    // Disclose, verify, and record the disclosure.
    let disclosed = mandate(&ws, &["log", "disclose", "0"]);
    assert!(
        disclosed.status.success(),
        "{}",
        String::from_utf8_lossy(&disclosed.stderr)
    );
    let disclosure = String::from_utf8(disclosed.stdout).unwrap();
    assert!(disclosure.contains("Border fence"));
    let ok = verify(&ws, &disclosure);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let recorded: u64 = conn
        .query_row("SELECT COUNT(*) FROM disclosures WHERE idx = 0", [], |r| r.get(0))
        .unwrap();
    assert_eq!(recorded, 1);

    // Another content, or another salt, does not match the commitment.
    let forged = verify(&ws, &disclosure.replace("Border fence", "Border wall"));
    assert_eq!(forged.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&forged.stderr).contains("not the record that was logged"));
    let value: serde_json::Value = serde_json::from_str(&disclosure).unwrap();
    let salt = value["disclosed"]["salt"].as_str().unwrap();
    let other_salt = format!("{}{}", if salt.starts_with('0') { "1" } else { "0" }, &salt[1..]);
    let bad_salt = verify(&ws, &disclosure.replace(salt, &other_salt));
    assert_eq!(bad_salt.status.code(), Some(1));

    // A non-confidential entry cannot be "disclosed".
    let plain = dir.path().join("plain.jsonl");
    std::fs::write(&plain, "{\"ocid\":\"ocds-open-1\",\"id\":\"1\"}\n").unwrap();
    assert!(mandate(&ws, &["import", plain.to_str().unwrap()])
        .status
        .success());
    assert!(mandate(&ws, &["log", "checkpoint"]).status.success());
    let refused = mandate(&ws, &["log", "disclose", "1"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not confidential"));
}

#[test]
fn hidden_content_changed_in_the_database_fails_log_verify() {
    let dir = tempfile::tempdir().unwrap();
    let ws = confidential_workspace(
        dir.path(),
        "{\"ocid\":\"ocds-secret-1\",\"id\":\"1\",\"tender\":{\"numberOfTenderers\":1}}\n\
         {\"ocid\":\"ocds-secret-2\",\"id\":\"1\",\"tender\":{\"numberOfTenderers\":2}}\n",
    );
    assert!(mandate(&ws, &["log", "verify"]).status.success());
    // The operator edits the second record's hidden content: the log's
    // entries and leaf hashes are untouched, so only the commitment tells.
    let conn = rusqlite::Connection::open(ws.join("mandate.db")).unwrap();
    let changed = conn
        .execute(
            "UPDATE confidential SET content = replace(content, '\"numberOfTenderers\":2', '\"numberOfTenderers\":1') WHERE idx = 1",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let out = mandate(&ws, &["log", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains("confidential entry 1: its hidden content no longer matches the logged commitment"),
        "{report}"
    );
    assert!(!report.contains("confidential entry 0"), "{report}");
}
