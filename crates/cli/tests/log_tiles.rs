//! Proofs and tiles end to end: `log prove | consistency | verify-proof`
//! round trips and tampering, `log export-tiles`, and `log verify --tiles`
//! on a folder and over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn mandate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(args)
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a command that must succeed and returns its standard output.
fn ok(args: &[&str]) -> String {
    let out = mandate(args);
    assert!(out.status.success(), "mandate {args:?} failed:\n{}", stderr(&out));
    stdout(&out)
}

/// Runs a command that must fail verification (exit status 1); returns its standard error.
fn fails(args: &[&str]) -> String {
    let out = mandate(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "mandate {args:?} should fail verification:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    stderr(&out)
}

fn write_releases(path: &Path, range: std::ops::Range<u64>) {
    let mut text = String::new();
    for n in range {
        text.push_str(&format!(
            "{{\"ocid\":\"ocds-t-{n}\",\"id\":\"{n}\",\"date\":\"2020-01-01T00:00:00Z\"}}\n"
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// A workspace with 3,000 entries checkpointed, then 500 more checkpointed.
struct Log {
    dir: tempfile::TempDir,
    ws: String,
}

impl Log {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws").to_str().unwrap().to_owned();
        ok(&["init", &ws, "--origin", "audit.example.gov/log"]);
        let first = dir.path().join("a.jsonl");
        write_releases(&first, 0..3000);
        ok(&["-w", &ws, "import", first.to_str().unwrap()]);
        ok(&["-w", &ws, "log", "checkpoint"]);
        let second = dir.path().join("b.jsonl");
        write_releases(&second, 3000..3500);
        ok(&["-w", &ws, "import", second.to_str().unwrap()]);
        ok(&["-w", &ws, "log", "checkpoint"]);
        Self { dir, ws }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `mandate -w WS log ARGS...`.
    fn log(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["-w".to_owned(), self.ws.clone(), "log".to_owned()];
        all.extend(args.iter().map(|s| s.to_string()));
        all
    }

    fn ok(&self, args: &[&str]) -> String {
        let all = self.log(args);
        ok(&all.iter().map(String::as_str).collect::<Vec<_>>())
    }

    fn fails(&self, args: &[&str]) -> String {
        let all = self.log(args);
        fails(&all.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Writes `value` as a proof file and checks it with `verify-proof`.
    fn verify_value(&self, name: &str, value: &Value) -> Result<String, String> {
        self.verify_value_with(name, value, &[])
    }

    fn verify_value_with(&self, name: &str, value: &Value, flags: &[&str]) -> Result<String, String> {
        let file = self.path(name);
        std::fs::write(&file, serde_json::to_string_pretty(value).unwrap()).unwrap();
        let mut args = vec!["verify-proof", file.to_str().unwrap()];
        args.extend_from_slice(flags);
        let all = self.log(&args);
        let out = mandate(&all.iter().map(String::as_str).collect::<Vec<_>>());
        match out.status.code() {
            Some(0) => Ok(stdout(&out)),
            Some(1) => Err(stderr(&out)),
            _ => panic!("verify-proof errored: {}", stderr(&out)),
        }
    }
}

#[test]
fn inclusion_proofs_round_trip_and_tampering_is_caught() {
    let log = Log::new();
    let proof: Value = serde_json::from_str(&log.ok(&["prove", "1234"])).unwrap();
    assert_eq!(proof["index"], 1234);
    assert_eq!(proof["size"], 3500, "default size: the latest checkpoint's");
    assert_eq!(proof["entry"]["ocid"], "ocds-t-1234");
    assert!(proof["checkpoint"]
        .as_str()
        .unwrap()
        .starts_with("audit.example.gov/log\n3500\n"));
    let verified = log.verify_value("p.json", &proof).unwrap();
    assert!(
        verified.starts_with("OK: entry 1234 is in the tree of size 3500"),
        "{verified}"
    );
    assert!(verified.contains("signed by audit.example.gov/log"), "{verified}");

    // From standard input too.
    let mut child = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(["-w", &log.ws, "log", "verify-proof", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let text = serde_json::to_string(&proof).unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    assert!(child.wait_with_output().unwrap().status.success());

    let mut changed_hash = proof.clone();
    let first = changed_hash["proof"][0].as_str().unwrap().to_owned();
    let flipped = if first.ends_with('0') { "1" } else { "0" };
    changed_hash["proof"][0] = Value::from(format!("{}{flipped}", &first[..63]));
    let reason = log.verify_value("hash.json", &changed_hash).unwrap_err();
    assert!(reason.contains("FAILED: entry 1234 is not proven"), "{reason}");

    let mut changed_index = proof.clone();
    changed_index["index"] = Value::from(1235);
    assert!(log.verify_value("index.json", &changed_index).is_err());

    let mut changed_entry = proof.clone();
    changed_entry["entry"]["release"]["id"] = Value::from("99999");
    let reason = log.verify_value("entry.json", &changed_entry).unwrap_err();
    assert!(reason.contains("the entry was changed"), "{reason}");

    let mut changed_root = proof.clone();
    changed_root["root"] = changed_root["leaf_hash"].clone();
    assert!(log.verify_value("root.json", &changed_root).is_err());

    // A checkpoint of another size does not vouch for this root.
    let older: Value = serde_json::from_str(&log.ok(&["prove", "5", "--size", "3000"])).unwrap();
    assert!(older["checkpoint"].as_str().unwrap().contains("\n3000\n"));
    log.verify_value("older.json", &older).unwrap();
    let mut swapped = proof.clone();
    swapped["checkpoint"] = older["checkpoint"].clone();
    let reason = log.verify_value("swapped.json", &swapped).unwrap_err();
    assert!(reason.contains("checkpoint is for tree size 3000"), "{reason}");

    // Without a checkpoint of that size the proof fails: its root is only
    // the prover's word. With --unsigned the path alone is checked.
    let unsigned: Value = serde_json::from_str(&log.ok(&["prove", "5", "--size", "3100"])).unwrap();
    assert!(unsigned["checkpoint"].is_null());
    let reason = log.verify_value("unsigned.json", &unsigned).unwrap_err();
    assert!(reason.contains("no signed checkpoint in the proof"), "{reason}");
    assert!(log
        .verify_value_with("unsigned.json", &unsigned, &["--unsigned"])
        .unwrap()
        .contains("not authenticated"));

    // Another log's key does not verify the checkpoint.
    let other = log.path("other");
    ok(&[
        "init",
        other.to_str().unwrap(),
        "--origin",
        "audit.example.gov/log",
    ]);
    let key = other.join("keys/log.pub");
    let file = log.path("p.json");
    let reason = fails(&[
        "log",
        "verify-proof",
        file.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]);
    assert!(reason.contains("checkpoint"), "{reason}");
    // The right key, given as text, outside any workspace.
    let key_text = std::fs::read_to_string(Path::new(&log.ws).join("keys/log.pub")).unwrap();
    ok(&[
        "log",
        "verify-proof",
        file.to_str().unwrap(),
        "--key",
        key_text.trim(),
    ]);

    let out = mandate(&["-w", &log.ws, "log", "prove", "3500"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not in the tree of size 3500"));
}

#[test]
fn consistency_proofs_between_checkpoints_verify() {
    let log = Log::new();
    let proof: Value = serde_json::from_str(&log.ok(&["consistency", "3000", "3500"])).unwrap();
    assert_eq!(proof["old_size"], 3000);
    assert_eq!(proof["new_size"], 3500);
    assert!(proof["old_checkpoint"].is_string() && proof["new_checkpoint"].is_string());
    let verified = log.verify_value("c.json", &proof).unwrap();
    assert!(
        verified.contains("is a prefix of the tree of size 3500"),
        "{verified}"
    );
    assert!(verified.contains("old and new root signed by"), "{verified}");

    let mut changed = proof.clone();
    changed["old_root"] = proof["new_root"].clone();
    assert!(log.verify_value("c1.json", &changed).is_err());
    let mut changed = proof.clone();
    changed["old_size"] = Value::from(2999);
    changed["old_checkpoint"] = Value::Null;
    assert!(log.verify_value("c2.json", &changed).is_err());
    let mut changed = proof.clone();
    changed["proof"].as_array_mut().unwrap().pop();
    assert!(log.verify_value("c3.json", &changed).is_err());

    let trivial: Value = serde_json::from_str(&log.ok(&["consistency", "0", "17"])).unwrap();
    assert!(log.verify_value("c4.json", &trivial).is_err());
    assert!(log
        .verify_value_with("c4.json", &trivial, &["--unsigned"])
        .unwrap()
        .contains("not authenticated"));
}

/// Copies a folder tree.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn flip_byte(file: &Path, at: usize) {
    let mut bytes = std::fs::read(file).unwrap();
    bytes[at] ^= 0x01;
    std::fs::write(file, bytes).unwrap();
}

/// Serves `root` over HTTP on 127.0.0.1 (GET only, one request per connection).
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        // Bounded: ends with the test process, and after this many requests.
        for stream in listener.incoming().take(10_000) {
            let Ok(mut stream) = stream else { continue };
            let mut request = String::new();
            let mut reader = BufReader::new(&stream);
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = request
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/');
            let file = (!path.contains("..")).then(|| root.join(path));
            let response = match file.and_then(|f| std::fs::read(f).ok()) {
                Some(body) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    format!("http://{address}/")
}

#[test]
fn exported_tiles_verify_from_a_folder_and_over_http_and_changes_are_named() {
    let log = Log::new();
    let out = log.path("published");
    let summary: Value = serde_json::from_str(&log.ok(&["export-tiles", out.to_str().unwrap()])).unwrap();
    assert_eq!(summary["size"], 3500);
    // 13 full and one 172-wide level-0 tile, one 13-wide level-1 tile; as many bundles.
    assert_eq!(summary["tiles_written"], 15);
    assert_eq!(summary["bundles_written"], 14);
    assert!(out.join("tile/0/013.p/172").is_file());
    assert!(out.join("tile/1/000.p/13").is_file());
    assert!(out.join("tile/entries/013.p/172").is_file());
    assert!(std::fs::read_to_string(out.join("checkpoint"))
        .unwrap()
        .contains("\n3500\n"));

    // Exporting again keeps every file.
    let again: Value = serde_json::from_str(&log.ok(&["export-tiles", out.to_str().unwrap()])).unwrap();
    assert_eq!(
        (again["tiles_written"].as_u64(), again["tiles_kept"].as_u64()),
        (Some(0), Some(15))
    );
    assert_eq!(again["bundles_kept"], 14);

    let dir = out.to_str().unwrap();
    let verified = log.ok(&["verify", "--tiles", dir]);
    assert!(verified.starts_with("OK: 3500 entries"), "{verified}");
    // Outside the workspace, with the public key given.
    let key = Path::new(&log.ws).join("keys/log.pub");
    ok(&["log", "verify", "--tiles", dir, "--key", key.to_str().unwrap()]);

    let url = serve(out.clone());
    let verified = log.ok(&["verify", "--tiles", &url]);
    assert!(verified.starts_with("OK: 3500 entries"), "{verified}");

    // One flipped byte anywhere is caught and named.
    let cases = [
        ("tile/0/003", 40, "tile/0/003: hash 1 differs"),
        ("tile/1/000.p/13", 5, "tile/1/000.p/13: hash 0 differs"),
        ("tile/entries/005", 10, "entry 1280 in tile/entries/005"),
        ("tile/entries/013.p/172", 0, "tile/entries/013.p/172"),
        ("checkpoint", 30, "checkpoint"),
    ];
    for (i, (file, at, named)) in cases.iter().enumerate() {
        let copy = log.path(&format!("changed{i}"));
        copy_dir(&out, &copy);
        flip_byte(&copy.join(file), *at);
        let reason = log.fails(&["verify", "--tiles", copy.to_str().unwrap()]);
        let first = reason.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("FAILED: ") && first.contains(named),
            "{file}: {reason}"
        );
    }
    let missing = log.path("missing");
    copy_dir(&out, &missing);
    std::fs::remove_file(missing.join("tile/0/002")).unwrap();
    assert!(log
        .fails(&["verify", "--tiles", missing.to_str().unwrap()])
        .contains("tile/0/002: not found"));

    // A changed full tile in the folder is never overwritten by a later export.
    let changed = log.path("changed0");
    let out = mandate(&["-w", &log.ws, "log", "export-tiles", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists with different content"));

    // The workspace's own check still passes, tiles included...
    assert!(log.ok(&["verify"]).starts_with("OK: 3500 entries"));
    // ...and names a tile changed in the database.
    let conn = rusqlite::Connection::open(Path::new(&log.ws).join("mandate.db")).unwrap();
    conn.execute(
        "UPDATE log_tiles SET hashes = zeroblob(8192) WHERE level = 0 AND idx = 4",
        [],
    )
    .unwrap();
    drop(conn);
    let reason = log.fails(&["verify"]);
    assert!(reason.contains("FAILED: tile/0/004 in the database"), "{reason}");
}

#[test]
fn new_commands_explain_themselves() {
    for command in ["prove", "consistency", "verify-proof", "export-tiles", "verify"] {
        let help = ok(&["log", command, "--help"]);
        assert!(help.len() > 200, "{command}: {help}");
    }
    assert!(ok(&["bench", "log", "--help"]).contains("--entry-bytes"));
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    ok(&["init", ws.to_str().unwrap()]);
    let out = mandate(&["-w", ws.to_str().unwrap(), "log", "prove", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("mandate log checkpoint"));
}

#[test]
fn a_record_too_long_for_a_tile_entry_is_logged_as_a_commitment_and_disclosed() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    ok(&["init", ws]);
    let input = dir.path().join("big.jsonl");
    let title = "x".repeat(70_000);
    let big = format!(
        "{{\"ocid\":\"ocds-t-1\",\"id\":\"1\",\"date\":\"2020-01-01T00:00:00Z\",\"tender\":{{\"title\":\"{title}\"}}}}"
    );
    std::fs::write(
        &input,
        format!("{{\"ocid\":\"ocds-t-0\",\"id\":\"0\",\"date\":\"2020-01-01T00:00:00Z\"}}\n{big}\n"),
    )
    .unwrap();
    let out = mandate(&["-w", ws, "import", input.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("1 record(s) longer than a log entry may be (65535 bytes)"),
        "{}",
        stderr(&out)
    );
    ok(&["-w", ws, "log", "checkpoint"]);
    // The entry is a commitment (zero salt, length given), so the log
    // exports as tiles...
    let tiles = dir.path().join("t");
    ok(&["-w", ws, "log", "export-tiles", tiles.to_str().unwrap()]);
    ok(&[
        "log",
        "verify",
        "--tiles",
        tiles.to_str().unwrap(),
        "--key",
        &format!("{ws}/keys/log.pub"),
    ]);
    let proof: Value = serde_json::from_str(&ok(&["-w", ws, "log", "prove", "1"])).unwrap();
    assert_eq!(proof["entry"]["record_kind"], "ocds_release");
    assert!(proof["entry"]["public_length"].as_u64().unwrap() > 70_000);
    // ...and the record itself is published with its proof; anyone checks it.
    let disclosure = ok(&["-w", ws, "log", "disclose", "1"]);
    let parsed: Value = serde_json::from_str(&disclosure).unwrap();
    assert_eq!(parsed["disclosed"]["salt"], "0".repeat(64));
    let disclosed_title = parsed["disclosed"]["record"]["release"]["tender"]["title"].as_str();
    assert!(
        disclosed_title == Some(title.as_str()),
        "the disclosed record is the imported one"
    );
    let file = dir.path().join("d.json");
    std::fs::write(&file, disclosure).unwrap();
    ok(&["-w", ws, "log", "verify-disclosure", file.to_str().unwrap()]);
}

#[test]
fn an_entry_removed_from_the_database_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    ok(&["init", ws]);
    let input = dir.path().join("three.jsonl");
    std::fs::write(
        &input,
        "{\"ocid\":\"o-1\",\"id\":\"1\"}\n{\"ocid\":\"o-2\",\"id\":\"1\"}\n{\"ocid\":\"o-3\",\"id\":\"1\"}\n",
    )
    .unwrap();
    ok(&["-w", ws, "import", input.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(Path::new(ws).join("mandate.db")).unwrap();
    // As someone editing the file would: without the foreign keys.
    conn.execute_batch("PRAGMA foreign_keys = OFF; DELETE FROM log_entries WHERE idx = 1;")
        .unwrap();
    drop(conn);
    let out = mandate(&["-w", ws, "log", "verify"]);
    assert_eq!(out.status.code(), Some(1), "a failed verification, not an error");
    assert!(stderr(&out).contains("entry 1 is missing"), "{}", stderr(&out));
}

#[test]
fn a_rewritten_database_fails_against_a_checkpoint_held_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let ws = ws.to_str().unwrap();
    ok(&["init", ws]);
    let import = |name: &str, ocids: [&str; 3]| {
        let input = dir.path().join(name);
        let lines: Vec<String> = ocids
            .iter()
            .map(|o| format!("{{\"ocid\":\"{o}\",\"id\":\"1\"}}"))
            .collect();
        std::fs::write(&input, lines.join("\n")).unwrap();
        ok(&["-w", ws, "import", input.to_str().unwrap()]);
    };
    import("first.jsonl", ["o-1", "o-2", "o-3"]);
    // An auditor keeps the signed checkpoint of size 3.
    let held = dir.path().join("held-checkpoint");
    std::fs::write(&held, ok(&["-w", ws, "log", "checkpoint"])).unwrap();
    // The operator, who holds the signing key, rewrites the whole history.
    let conn = rusqlite::Connection::open(Path::new(ws).join("mandate.db")).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF; DELETE FROM records; DELETE FROM log_entries; DELETE FROM log_state;
         DELETE FROM log_tiles; DELETE FROM checkpoints; DELETE FROM rejections; DELETE FROM imports;",
    )
    .unwrap();
    drop(conn);
    import("other.jsonl", ["o-7", "o-8", "o-9"]);
    ok(&["-w", ws, "log", "checkpoint"]);
    // The database agrees with itself...
    ok(&["-w", ws, "log", "verify"]);
    // ...not with the checkpoint it no longer has.
    let out = mandate(&["-w", ws, "log", "verify", "--checkpoint", held.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("checkpoint at size 3: signed root"),
        "{}",
        stderr(&out)
    );
}
