//! The SQLite store: appends, roots, resumable imports, recovery at start-up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mandate_ledger::merkle::{leaf_hash, root_from_leaf_hashes};
use mandate_store::{ImportState, NewRecord, Rejection, Store};

fn record(n: u64) -> NewRecord {
    NewRecord {
        body: format!("{{\"n\":{n}}}").into_bytes(),
        kind: "process_event".into(),
        subject: format!("P/c{}", n % 3),
        record_id: format!("event:P/c{}/{n}", n % 3),
        time_ms: Some(n as i64 * 1000),
        position: format!("line {n}"),
        confidential: None,
    }
}

#[test]
fn root_matches_an_independent_computation_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut store = Store::open(&path).unwrap();
    let import = store
        .start_import("f.jsonl", "abc", "ocds-jsonl", "2026-01-01T00:00:00Z")
        .unwrap();
    let first: Vec<NewRecord> = (0..5).map(record).collect();
    let second: Vec<NewRecord> = (5..13).map(record).collect();
    assert_eq!(
        store.append_batch(import, &first, &[], 5).unwrap(),
        vec![0, 1, 2, 3, 4]
    );
    store.append_batch(import, &second, &[], 8).unwrap();

    let leaves: Vec<_> = (0..13).map(|n| leaf_hash(&record(n).body)).collect();
    assert_eq!(store.log_size(), 13);
    assert_eq!(store.root(), root_from_leaf_hashes(&leaves));
    drop(store);

    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.log_size(), 13);
    assert_eq!(reopened.root(), root_from_leaf_hashes(&leaves));
    assert_eq!(reopened.entry(12).unwrap().unwrap(), b"{\"n\":12}");
}

#[test]
fn an_interrupted_import_resumes_after_the_last_committed_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.import_state("h1").unwrap(), ImportState::New);
    let import = store.start_import("f.xes", "h1", "xes", "t0").unwrap();
    let rejection = Rejection {
        position: "line 9".into(),
        field: Some("time:timestamp".into()),
        reason: "no timestamp".into(),
    };
    // 4 records and 1 rejection consumed from the file, committed; then a "crash" (no finish_import).
    let batch: Vec<NewRecord> = (0..4).map(record).collect();
    store.append_batch(import, &batch, &[rejection], 5).unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.import_state("h1").unwrap(),
        ImportState::Resume {
            import_id: import,
            consumed: 5
        }
    );
    store.finish_import(import, "t1").unwrap();
    assert_eq!(
        store.import_state("h1").unwrap(),
        ImportState::Done {
            import_id: import,
            accepted: 4,
            rejected: 1
        }
    );
}

#[test]
fn a_stale_tree_state_is_rebuilt_from_the_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut store = Store::open(&path).unwrap();
    let import = store.start_import("f", "h", "xes", "t").unwrap();
    let batch: Vec<NewRecord> = (0..7).map(record).collect();
    store.append_batch(import, &batch, &[], 7).unwrap();
    let root = store.root();
    drop(store);

    // Simulate a tree state that lags behind the entries.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE log_state SET size = 3, frontier = x'00'", [])
        .unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.log_size(), 7);
    assert_eq!(store.root(), root);
}

#[test]
fn records_come_back_grouped_by_subject_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("m.db")).unwrap();
    let import = store.start_import("f", "h", "xes", "t").unwrap();
    let batch: Vec<NewRecord> = (0..6).rev().map(record).collect(); // appended newest first
    store.append_batch(import, &batch, &[], 6).unwrap();
    let mut seen = Vec::new();
    store
        .for_each_record(&["process_event"], |row| {
            seen.push((row.subject, String::from_utf8(row.body).unwrap()));
            Ok(())
        })
        .unwrap();
    let expected: Vec<(String, String)> = [(0, 0), (0, 3), (1, 1), (1, 4), (2, 2), (2, 5)]
        .iter()
        .map(|(c, n)| (format!("P/c{c}"), format!("{{\"n\":{n}}}")))
        .collect();
    assert_eq!(seen, expected);
}

/// `check --follow` opens the log while `import` appends to it from another
/// connection: every open must succeed, see a size and root that belong
/// together, and leave the writer's log intact.
#[test]
fn opening_while_another_connection_appends_sees_a_consistent_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut writer = Store::open(&path).unwrap();
    let import = writer
        .start_import("f.jsonl", "abc", "records", "2026-01-01T00:00:00Z")
        .unwrap();
    let appending = std::thread::spawn(move || {
        for b in 0..300u64 {
            let batch: Vec<NewRecord> = (b * 7..b * 7 + 7).map(record).collect();
            writer.append_batch(import, &batch, &[], b * 7 + 7).unwrap();
        }
        writer
    });
    let leaves: Vec<_> = (0..2100).map(|n| leaf_hash(&record(n).body)).collect();
    let mut opens = 0;
    while !appending.is_finished() {
        let reader = Store::open(&path).unwrap();
        let size = reader.log_size() as usize;
        assert_eq!(
            reader.root(),
            root_from_leaf_hashes(&leaves[..size]),
            "size {size}"
        );
        opens += 1;
    }
    let writer = appending.join().unwrap();
    assert_eq!(writer.log_size(), 2100);
    assert!(opens > 0);
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.root(), root_from_leaf_hashes(&leaves));
}
