//! The tree stored as tiles: roots and proofs from the store agree with the
//! in-memory Merkle maths, and recovery rebuilds missing or broken tiles.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::collections::HashMap;

use mandate_ledger::merkle::{
    consistency_proof, consistency_proof_from_source, inclusion_proof, inclusion_proof_from_source,
    leaf_hash, node_hash, root_from_leaf_hashes, root_from_source, verify_consistency, verify_inclusion,
    Hash, MerkleError, NodeSource,
};
use mandate_ledger::tiles::{hashes_to_bytes, tiles_for_size};
use mandate_store::{NewRecord, Store, StoreError};

fn record(n: u64) -> NewRecord {
    NewRecord {
        body: format!("{{\"n\":{n}}}").into_bytes(),
        kind: "process_event".into(),
        subject: format!("P/c{}", n % 5),
        record_id: format!("event:{n}"),
        time_ms: Some(n as i64),
        position: format!("line {n}"),
        confidential: None,
    }
}

/// A store holding `sizes.sum()` entries, appended in batches of the given sizes.
fn store_with(dir: &std::path::Path, batches: &[u64]) -> (Store, Vec<Hash>) {
    let mut store = Store::open(&dir.join("m.db")).unwrap();
    let import = store.start_import("f", "h", "ocds-jsonl", "t").unwrap();
    let mut next = 0;
    for &len in batches {
        let batch: Vec<NewRecord> = (next..next + len).map(record).collect();
        store.append_batch(import, &batch, &[], len).unwrap();
        next += len;
        assert_eq!(store.root_at(next).unwrap(), store.root());
    }
    let leaves = (0..next).map(|n| leaf_hash(&record(n).body)).collect();
    (store, leaves)
}

/// The in-memory leaves as a node source, remembering subtree hashes so
/// that checking hundreds of tree sizes stays fast.
struct Leaves<'a> {
    leaves: &'a [Hash],
    memo: RefCell<HashMap<(u8, u64), Hash>>,
}

impl<'a> Leaves<'a> {
    fn new(leaves: &'a [Hash]) -> Self {
        Self {
            leaves,
            memo: RefCell::new(HashMap::new()),
        }
    }
}

impl NodeSource for Leaves<'_> {
    type Error = MerkleError;

    fn node(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        if let Some(h) = self.memo.borrow().get(&(level, index)) {
            return Ok(*h);
        }
        let h = if level == 0 {
            self.leaves.node(0, index)?
        } else {
            node_hash(
                &self.node(level - 1, 2 * index)?,
                &self.node(level - 1, 2 * index + 1)?,
            )
        };
        self.memo.borrow_mut().insert((level, index), h);
        Ok(h)
    }
}

/// Root, inclusion and consistency proofs at `size`; `more` adds further indexes and old sizes.
fn check(store: &Store, reference: &Leaves, size: u64, more: bool) {
    let leaves = reference.leaves;
    let root = root_from_source(reference, size).unwrap();
    assert_eq!(store.root_at(size).unwrap(), root, "root at {size}");
    let mut indexes = vec![0, size - 1];
    if more {
        indexes.extend([size / 2, size.saturating_sub(257)]);
    }
    for index in indexes {
        let proof = store.inclusion_proof(index, size).unwrap();
        let want = inclusion_proof_from_source(reference, index, size).unwrap();
        assert_eq!(proof, want, "inclusion {index} in {size}");
        verify_inclusion(&leaves[index as usize], index, size, &proof, &root).unwrap();
    }
    let mut olds = vec![size / 2, size - 1];
    if more {
        olds.extend([1, size.saturating_sub(256), 256]);
    }
    for old in olds {
        if old == 0 || old > size {
            continue;
        }
        let proof = store.consistency_proof(old, size).unwrap();
        let want = consistency_proof_from_source(reference, old, size).unwrap();
        assert_eq!(proof, want, "consistency {old} to {size}");
        let old_root = root_from_source(reference, old).unwrap();
        verify_consistency(old, size, &old_root, &root, &proof).unwrap();
    }
}

#[test]
fn the_memoised_reference_is_the_slice_based_maths() {
    let leaves: Vec<Hash> = (0..300).map(|n| leaf_hash(&record(n).body)).collect();
    let reference = Leaves::new(&leaves);
    for size in [1u64, 2, 3, 255, 256, 257, 300] {
        let prefix = &leaves[..size as usize];
        assert_eq!(
            root_from_source(&reference, size).unwrap(),
            root_from_leaf_hashes(prefix)
        );
        for index in [0, size / 2, size - 1] {
            assert_eq!(
                inclusion_proof_from_source(&reference, index, size).unwrap(),
                inclusion_proof(index, prefix).unwrap()
            );
        }
        for old in 1..=size.min(20) {
            assert_eq!(
                consistency_proof_from_source(&reference, old, size).unwrap(),
                consistency_proof(old, prefix).unwrap()
            );
        }
    }
}

#[test]
fn proofs_from_tiles_match_the_merkle_maths_for_every_size_up_to_600() {
    let dir = tempfile::tempdir().unwrap();
    let (store, leaves) = store_with(dir.path(), &[1, 2, 253, 1, 255, 1, 7, 80]);
    assert_eq!(store.log_size(), 600);
    let reference = Leaves::new(&leaves);
    for size in 1..=600 {
        check(&store, &reference, size, size % 5 == 0);
    }
    assert_eq!(store.root_at(0).unwrap(), root_from_leaf_hashes(&[]));
}

#[test]
fn proofs_around_a_full_level_one_tile() {
    let dir = tempfile::tempdir().unwrap();
    let (store, leaves) = store_with(dir.path(), &[40_000, 25_535, 1, 1, 300]);
    let reference = Leaves::new(&leaves);
    for size in [65_535, 65_536, 65_537, 65_538, 65_792, 65_837] {
        check(&store, &reference, size, true);
    }
    // A full level-1 tile and the partial ones above and beside it.
    assert_eq!(store.tile(1, 0).unwrap().unwrap().0, 256);
    assert_eq!(store.tile(1, 1).unwrap().unwrap().0, 1);
    assert_eq!(store.tile(2, 0).unwrap().unwrap().0, 1);
    assert_eq!(store.tile(0, 257).unwrap().unwrap().0, 45);
}

#[test]
fn tiles_and_entries_are_served_as_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (store, leaves) = store_with(dir.path(), &[300]);
    let (width, bytes) = store.tile(0, 0).unwrap().unwrap();
    assert_eq!(width, 256);
    assert_eq!(bytes, hashes_to_bytes(&leaves[..256]));
    let (width, bytes) = store.tile(0, 1).unwrap().unwrap();
    assert_eq!(width, 44);
    assert_eq!(bytes, hashes_to_bytes(&leaves[256..]));
    assert_eq!(store.tile(0, 2).unwrap(), None);
    assert_eq!(store.tile(1, 0).unwrap().unwrap().0, 1);

    let entries = store.entries(255, 258).unwrap();
    assert_eq!(
        entries,
        vec![record(255).body, record(256).body, record(257).body]
    );
    assert!(store.entries(5, 5).unwrap().is_empty());
    assert!(matches!(
        store.entries(299, 301),
        Err(StoreError::EntryRange { .. })
    ));
    assert!(matches!(store.root_at(301), Err(StoreError::BeyondLog { .. })));
    assert!(matches!(
        store.inclusion_proof(0, 301),
        Err(StoreError::BeyondLog { .. })
    ));
    assert!(store.inclusion_proof(300, 300).is_err());
    assert!(store.consistency_proof(10, 5).is_err());
}

/// Every stored tile, for comparison.
fn all_tiles(store: &Store) -> Vec<(u16, Vec<u8>)> {
    tiles_for_size(store.log_size())
        .map(|t| store.tile(t.level(), t.index()).unwrap().unwrap())
        .collect()
}

fn sql(dir: &std::path::Path, statement: &str) {
    let conn = rusqlite::Connection::open(dir.join("m.db")).unwrap();
    conn.execute_batch(statement).unwrap();
}

#[test]
fn recovery_rebuilds_deleted_lagging_and_broken_tiles() {
    let dir = tempfile::tempdir().unwrap();
    let (store, leaves) = store_with(dir.path(), &[700]);
    let want = all_tiles(&store);
    let root = store.root();
    drop(store);

    for damage in [
        // A full tile in the middle is gone.
        "DELETE FROM log_tiles WHERE level = 0 AND idx = 1",
        // A database written before tiles existed.
        "DELETE FROM log_tiles",
        // Tiles lag behind the entries (as if written by an older version).
        "DELETE FROM log_tiles WHERE level = 0 AND idx = 2;
         UPDATE log_tiles SET width = 1, hashes = substr(hashes, 1, 32) WHERE level = 1",
        // The right edge no longer agrees with the leaves.
        "UPDATE log_tiles SET hashes = zeroblob(length(hashes)) WHERE level = 0 AND idx = 2",
        // A stray tile beyond the tree.
        "INSERT INTO log_tiles VALUES (0, 9, 1, zeroblob(32))",
    ] {
        sql(dir.path(), damage);
        let store = Store::open(&dir.path().join("m.db")).unwrap();
        assert_eq!(all_tiles(&store), want, "after {damage}");
        assert_eq!(store.root(), root);
        check(&store, &Leaves::new(&leaves), 700, true);
        drop(store);
    }
}

#[test]
fn appends_continue_from_the_stored_edge_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = store_with(dir.path(), &[100]);
    drop(store);
    let mut store = Store::open(&dir.path().join("m.db")).unwrap();
    let import = store.start_import("g", "h2", "ocds-jsonl", "t").unwrap();
    let batch: Vec<NewRecord> = (100..400).map(record).collect();
    store.append_batch(import, &batch, &[], 300).unwrap();
    let leaves: Vec<Hash> = (0..400).map(|n| leaf_hash(&record(n).body)).collect();
    let reference = Leaves::new(&leaves);
    check(&store, &reference, 400, true);
    check(&store, &reference, 100, true);
}

#[test]
fn bare_entries_join_the_same_tree() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut leaves) = store_with(dir.path(), &[10]);
    let bodies: Vec<Vec<u8>> = (0..300)
        .map(|n| format!("{{\"bare\":{n}}}").into_bytes())
        .collect();
    assert_eq!(store.append_entries(&bodies).unwrap(), 10..310);
    leaves.extend(bodies.iter().map(|b| leaf_hash(b)));
    check(&store, &Leaves::new(&leaves), 310, true);
    assert_eq!(store.entries(10, 11).unwrap(), vec![bodies[0].clone()]);
    drop(store);
    let store = Store::open(&dir.path().join("m.db")).unwrap();
    assert_eq!(store.root(), root_from_leaf_hashes(&leaves));
}
