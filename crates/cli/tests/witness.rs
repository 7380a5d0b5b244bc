//! `mandate publish` against three `mandate witness serve` processes on
//! loopback: publication with a quorum, a second publication that needs a
//! consistency proof (and a 409 retry), and no publication without quorum.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use mandate_ledger::checkpoint::open_checkpoint;
use mandate_ledger::cosignature::{verify_cosignature, CosignatureVerifier};
use mandate_ledger::note::Verifier;

const ORIGIN: &str = "audit.example.gov/witnessed";

fn mandate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = mandate(args);
    assert!(
        out.status.success(),
        "mandate {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A running `mandate witness serve`, killed when dropped.
struct RunningWitness {
    child: Child,
    /// Kept open so the witness can keep writing to its stdout.
    _stdout: BufReader<std::process::ChildStdout>,
    url: String,
    key: String,
}

impl RunningWitness {
    fn start(dir: &Path, name: &str, log_key: &str) -> Self {
        let dir = dir.to_str().unwrap();
        let key = ok(&["witness", "keygen", dir, "--name", name]).trim().to_owned();
        ok(&["witness", "add-log", dir, "--origin", ORIGIN, "--key", log_key]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_mandate"))
            .args(["witness", "serve", dir, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line.trim().strip_prefix("listening on ").unwrap().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Self {
            child,
            _stdout: stdout,
            url,
            key,
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RunningWitness {
    fn drop(&mut self) {
        self.stop();
    }
}

fn write_records(path: &Path, range: std::ops::Range<u32>) {
    let lines: String = range
        .map(|n| format!("{{\"ocid\":\"ocds-w-{n}\",\"id\":\"{n}\"}}\n"))
        .collect();
    std::fs::write(path, lines).unwrap();
}

/// Checks the published checkpoint and returns its size and how many of
/// `witnesses` cosigned it.
fn check_published(ws: &Path, log_key: &Verifier, witnesses: &[&RunningWitness]) -> (u64, usize) {
    let note = std::fs::read_to_string(ws.join("checkpoint")).unwrap();
    let checkpoint = open_checkpoint(&note, log_key).unwrap();
    let cosigned = witnesses
        .iter()
        .filter(|w| verify_cosignature(&note, &CosignatureVerifier::from_text(&w.key).unwrap()).is_ok())
        .count();
    (checkpoint.size, cosigned)
}

fn published_sizes(ws: &Path) -> Vec<u64> {
    let db = rusqlite::Connection::open(ws.join("mandate.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT size FROM published_checkpoints ORDER BY size")
        .unwrap();
    let sizes = stmt.query_map([], |r| r.get(0)).unwrap();
    sizes.map(Result::unwrap).collect()
}

#[test]
fn publish_needs_a_quorum_of_witnesses() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("ws");
    let ws = ws_path.to_str().unwrap();
    ok(&["init", ws, "--origin", ORIGIN]);
    let log_key = std::fs::read_to_string(ws_path.join("keys/log.pub")).unwrap();
    let log_key = log_key.trim();
    let log_verifier = Verifier::from_text(log_key).unwrap();

    let mut w1 = RunningWitness::start(&dir.path().join("w1"), "w1.example/witness", log_key);
    let mut w2 = RunningWitness::start(&dir.path().join("w2"), "w2.example/witness", log_key);
    let w3 = RunningWitness::start(&dir.path().join("w3"), "w3.example/witness", log_key);
    for w in [&w1, &w2] {
        ok(&["-w", ws, "witness", "trust", "--url", &w.url, "--key", &w.key]);
    }
    let config = ws_path.join("mandate.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("quorum = 1", "quorum = 2")).unwrap();

    // First publication: both witnesses see the log for the first time.
    let records = dir.path().join("a.jsonl");
    write_records(&records, 0..500);
    ok(&["-w", ws, "import", records.to_str().unwrap()]);
    let out = ok(&["-w", ws, "publish"]);
    assert!(out.contains("Published: 2 of 2"), "{out}");
    assert_eq!(
        check_published(&ws_path, &log_verifier, &[&w1, &w2, &w3]),
        (500, 2)
    );

    // The third witness joins late: it answers 409 (it holds size 0) and
    // the publisher retries from there; the others get a proof from 500.
    ok(&["-w", ws, "witness", "trust", "--url", &w3.url, "--key", &w3.key]);
    let more = dir.path().join("b.jsonl");
    write_records(&more, 500..700);
    ok(&["-w", ws, "import", more.to_str().unwrap()]);
    let out = ok(&["-w", ws, "publish"]);
    assert!(out.contains("Published: 3 of 3"), "{out}");
    assert_eq!(
        check_published(&ws_path, &log_verifier, &[&w1, &w2, &w3]),
        (700, 3)
    );

    // Two witnesses down: 1 of 3 is below the quorum, nothing is published.
    w1.stop();
    w2.stop();
    let last = dir.path().join("c.jsonl");
    write_records(&last, 700..800);
    ok(&["-w", ws, "import", last.to_str().unwrap()]);
    let out = mandate(&["-w", ws, "publish"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Not published: 1 of 3"), "{stderr}");
    assert!(stderr.contains("refused   w1.example/witness"), "{stderr}");
    assert!(stderr.contains("refused   w2.example/witness"), "{stderr}");
    assert!(stderr.contains("unreachable"), "{stderr}");
    assert_eq!(
        check_published(&ws_path, &log_verifier, &[&w1, &w2, &w3]),
        (700, 3)
    );
    assert_eq!(published_sizes(&ws_path), [500, 700]);

    // The log itself still verifies, checkpoints included.
    assert!(ok(&["-w", ws, "log", "verify"]).starts_with("OK: 800 entries"));
}

#[test]
fn a_witness_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("ws");
    let ws = ws_path.to_str().unwrap();
    ok(&["init", ws, "--origin", ORIGIN]);
    let w = dir.path().join("w");
    let key = ok(&["witness", "keygen", w.to_str().unwrap(), "--name", "w.example/x"]);
    let key = key.trim();
    ok(&[
        "-w",
        ws,
        "witness",
        "trust",
        "--url",
        "http://127.0.0.1:9",
        "--key",
        key,
    ]);
    let again = mandate(&[
        "-w",
        ws,
        "witness",
        "trust",
        "--name",
        "alias",
        "--url",
        "http://127.0.0.1:9",
        "--key",
        key,
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has a witness with this key"));
    // Edited by hand instead: publish refuses before asking anyone.
    let config = ws_path.join("mandate.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let twice =
        format!("{text}\n[[witness]]\nname = \"alias\"\nurl = \"http://127.0.0.1:9\"\nkey = \"{key}\"\n");
    std::fs::write(&config, twice).unwrap();
    let out = mandate(&["-w", ws, "publish"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("have the same key"));
}

#[test]
fn old_workspaces_without_witnesses_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("ws");
    let ws = ws_path.to_str().unwrap();
    ok(&["init", ws, "--origin", ORIGIN]);
    // mandate.toml as written before witnesses existed.
    std::fs::write(
        ws_path.join("mandate.toml"),
        format!("# mandate workspace settings\n[log]\norigin = \"{ORIGIN}\"\n"),
    )
    .unwrap();
    ok(&["-w", ws, "log", "checkpoint"]);
    let out = mandate(&["-w", ws, "publish"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("names no witness"));
    let help = ok(&["publish", "--help"]);
    assert!(help.contains("[[witness]]"), "{help}");
}
