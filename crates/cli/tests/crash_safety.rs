//! Crash safety: an import is killed with SIGKILL at random moments, 100
//! times. After every restart, every acknowledged batch (`--print-commits`)
//! must still be in the log with the root that was acknowledged, the log must
//! verify, and every signed checkpoint must agree with the tree. At the end the
//! resumed import must hold every record of the file exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use mandate_ledger::merkle::CompactRange;

const RECORDS: u64 = 20_000;
const KILLS: usize = 100;

fn mandate(ws: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mandate"));
    command.arg("-w").arg(ws);
    command
}

/// Deterministic pseudo-random delays, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

/// Roots of the stored tree at every size, recomputed from the stored leaf hashes.
fn stored_roots(db: &Path) -> Vec<[u8; 32]> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT leaf_hash FROM log_entries ORDER BY idx")
        .unwrap();
    let mut range = CompactRange::new();
    let mut roots = vec![range.root()];
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let leaf: Vec<u8> = row.get(0).unwrap();
        range.push(leaf.try_into().unwrap()).unwrap();
        roots.push(range.root());
    }
    roots
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn acknowledged_records_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let status = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .arg("init")
        .arg(&ws)
        .status()
        .unwrap();
    assert!(status.success());
    let input = dir.path().join("releases.jsonl");
    let lines: Vec<String> = (0..RECORDS)
        .map(|n| format!("{{\"ocid\":\"ocds-crash-{n}\",\"id\":\"{n}\",\"date\":\"2020-01-01T00:00:00Z\",\"tag\":[\"tender\"],\"tender\":{{\"title\":\"item {n}\"}}}}"))
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();

    let mut rng = Lcg(20261203);
    let mut acknowledged: Vec<(u64, String)> = Vec::new();
    for round in 0..KILLS {
        let mut child = mandate(&ws)
            .args(["import", "--print-commits", "--batch", "100"])
            .arg(&input)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|line| {
                    let mut parts = line.split_whitespace();
                    (parts.next() == Some("committed")).then(|| {
                        let size: u64 = parts.next().unwrap().parse().unwrap();
                        (size, parts.next().unwrap().to_string())
                    })
                })
                .collect::<Vec<_>>()
        });
        std::thread::sleep(Duration::from_millis(10 + rng.next(150)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        acknowledged.extend(reader.join().unwrap());

        // Everything acknowledged is there, with the acknowledged root.
        let roots = stored_roots(&ws.join("mandate.db"));
        for (size, root) in &acknowledged {
            let stored = roots.get(*size as usize).unwrap_or_else(|| {
                panic!(
                    "round {round}: acknowledged size {size} but the log has {} entries",
                    roots.len() - 1
                )
            });
            assert_eq!(
                &hex(stored),
                root,
                "round {round}: root at acknowledged size {size} changed"
            );
        }
        if round % 10 == 9 {
            let out = mandate(&ws).args(["log", "checkpoint"]).output().unwrap();
            assert!(out.status.success());
        }
        let verify = mandate(&ws).args(["log", "verify"]).output().unwrap();
        assert!(
            verify.status.success(),
            "round {round}: {}",
            String::from_utf8_lossy(&verify.stderr)
        );
    }
    assert!(
        !acknowledged.is_empty(),
        "no batch was ever acknowledged: the kills came too early"
    );
    eprintln!("{} batches acknowledged across {KILLS} kills", acknowledged.len());

    // Let the import finish: every record exactly once, nothing lost, nothing doubled.
    let out = mandate(&ws).arg("import").arg(&input).output().unwrap();
    assert!(out.status.success());
    let roots = stored_roots(&ws.join("mandate.db"));
    assert_eq!(roots.len() as u64 - 1, RECORDS);
    let conn = rusqlite::Connection::open(ws.join("mandate.db")).unwrap();
    let distinct: u64 = conn
        .query_row("SELECT COUNT(DISTINCT record_id) FROM records", [], |r| r.get(0))
        .unwrap();
    assert_eq!(distinct, RECORDS);
    let verify = mandate(&ws).args(["log", "verify"]).output().unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}
