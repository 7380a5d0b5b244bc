//! The witness's decisions, one rule of c2sp.org/tlog-witness per test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use mandate_ledger::checkpoint::{sign_checkpoint, Checkpoint};
use mandate_ledger::cosignature::{verify_cosignature, CosignatureSigner};
use mandate_ledger::merkle::{consistency_proof, leaf_hash, root_from_leaf_hashes, Hash};
use mandate_ledger::note::{Signer, Verifier};
use mandate_witness::{AddCheckpointRequest, AddError, Witness, WitnessState};

const ORIGIN: &str = "audit.example.gov/log";
const NOW: u64 = 1_700_000_000;

struct Log {
    signer: Signer,
    leaves: Vec<Hash>,
}

impl Log {
    fn new() -> Self {
        let leaves = (0..100u32)
            .map(|i| leaf_hash(format!("record {i}").as_bytes()))
            .collect();
        Self {
            signer: Signer::from_seed(ORIGIN, &[1; 32]).unwrap(),
            leaves,
        }
    }

    fn note(&self, size: usize) -> String {
        let checkpoint = Checkpoint::new(ORIGIN, size as u64, root_from_leaf_hashes(&self.leaves[..size]));
        sign_checkpoint(&checkpoint, &self.signer).unwrap()
    }

    fn request(&self, old: usize, new: usize) -> AddCheckpointRequest {
        AddCheckpointRequest {
            old_size: old as u64,
            proof: consistency_proof(old as u64, &self.leaves[..new]).unwrap(),
            checkpoint: self.note(new),
        }
    }
}

fn witness_signer() -> CosignatureSigner {
    CosignatureSigner::from_seed("witness.example/w1", &[2; 32]).unwrap()
}

fn open_witness(db: &Path, log_key: &Verifier) -> Witness {
    let state = WitnessState::open(db).unwrap();
    state.add_log(ORIGIN, log_key, "now").unwrap();
    Witness::with_clock(witness_signer(), state, Box::new(|| NOW))
}

fn setup() -> (tempfile::TempDir, Log, Witness) {
    let dir = tempfile::tempdir().unwrap();
    let log = Log::new();
    let witness = open_witness(&dir.path().join("witness.db"), &log.signer.verifier());
    (dir, log, witness)
}

fn stored_size(witness: &Witness) -> Option<u64> {
    witness.state().latest(ORIGIN).unwrap().map(|s| s.size)
}

#[test]
fn accepts_the_first_checkpoint() {
    let (_dir, log, witness) = setup();
    let cosignature = witness.add_checkpoint(&log.request(0, 10)).unwrap();
    assert_eq!((cosignature.size, cosignature.timestamp), (10, NOW));
    let note = format!("{}{}", log.note(10), cosignature.line);
    assert_eq!(verify_cosignature(&note, &witness.verifier()).unwrap(), NOW);
    let state = witness.state().latest(ORIGIN).unwrap().unwrap();
    assert_eq!(state.size, 10);
    assert_eq!(state.cosignature, cosignature.line);
    assert_eq!(state.note, log.note(10));
}

#[test]
fn accepts_a_larger_consistent_checkpoint() {
    let (_dir, log, witness) = setup();
    witness.add_checkpoint(&log.request(0, 10)).unwrap();
    for (old, new) in [(10, 13), (13, 64), (64, 100)] {
        let request = log.request(old, new);
        assert!(!request.proof.is_empty());
        witness.add_checkpoint(&request).unwrap();
    }
    assert_eq!(stored_size(&witness), Some(100));
}

#[test]
fn the_same_checkpoint_may_be_cosigned_again() {
    let (_dir, log, witness) = setup();
    witness.add_checkpoint(&log.request(0, 10)).unwrap();
    witness.add_checkpoint(&log.request(10, 10)).unwrap();
    assert_eq!(stored_size(&witness), Some(10));
}

#[test]
fn wrong_old_size_is_a_conflict_naming_the_size_held() {
    let (_dir, log, witness) = setup();
    witness.add_checkpoint(&log.request(0, 10)).unwrap();
    let error = witness.add_checkpoint(&log.request(5, 20)).unwrap_err();
    assert_eq!(error.status(), 409);
    assert_eq!(error.latest_size(), Some(10));
    // A fresh client asks with old 0 to learn the size.
    let error = witness.add_checkpoint(&log.request(0, 20)).unwrap_err();
    assert_eq!(error.latest_size(), Some(10));
    assert_eq!(stored_size(&witness), Some(10));
}

#[test]
fn a_bad_proof_is_unprocessable() {
    let (_dir, log, witness) = setup();
    witness.add_checkpoint(&log.request(0, 10)).unwrap();
    let mut request = log.request(10, 20);
    request.proof[0][0] ^= 1;
    let error = witness.add_checkpoint(&request).unwrap_err();
    assert!(matches!(error, AddError::InvalidProof(_)), "{error}");
    assert_eq!(error.status(), 422);
    // A tree whose first 10 entries differ from the cosigned ones: a fork,
    // even with a proof that is valid for that tree.
    let mut forked = Log::new();
    forked.leaves[3] = leaf_hash(b"rewritten");
    let error = witness.add_checkpoint(&forked.request(10, 20)).unwrap_err();
    assert_eq!(error.status(), 422);
    // A non-empty proof where none is possible.
    let mut request = log.request(0, 10);
    request.old_size = 10;
    request.proof = vec![[0; 32]];
    assert_eq!(witness.add_checkpoint(&request).unwrap_err().status(), 422);
    assert_eq!(stored_size(&witness), Some(10));
}

#[test]
fn a_bad_log_signature_is_forbidden() {
    let (_dir, log, witness) = setup();
    // Signed by another key under the same name.
    let impostor = Log {
        signer: Signer::from_seed(ORIGIN, &[9; 32]).unwrap(),
        leaves: log.leaves.clone(),
    };
    let error = witness.add_checkpoint(&impostor.request(0, 10)).unwrap_err();
    assert!(matches!(error, AddError::Forbidden(_)), "{error}");
    assert_eq!(error.status(), 403);
    // The right key, but the text was changed after signing.
    let mut request = log.request(0, 10);
    request.checkpoint = request.checkpoint.replacen("\n10\n", "\n11\n", 1);
    assert_eq!(witness.add_checkpoint(&request).unwrap_err().status(), 403);
    assert_eq!(stored_size(&witness), None);
}

#[test]
fn an_unknown_origin_is_not_found() {
    let (_dir, _log, witness) = setup();
    let other = Signer::from_seed("other.example/log", &[3; 32]).unwrap();
    let checkpoint = Checkpoint::new("other.example/log", 1, leaf_hash(b"x"));
    let request = AddCheckpointRequest {
        old_size: 0,
        proof: Vec::new(),
        checkpoint: sign_checkpoint(&checkpoint, &other).unwrap(),
    };
    let error = witness.add_checkpoint(&request).unwrap_err();
    assert!(matches!(error, AddError::UnknownOrigin(_)), "{error}");
    assert_eq!(error.status(), 404);
}

#[test]
fn a_smaller_checkpoint_is_refused() {
    let (_dir, log, witness) = setup();
    witness.add_checkpoint(&log.request(0, 50)).unwrap();
    // Claiming the held size but sending a smaller tree.
    let mut request = log.request(0, 20);
    request.old_size = 50;
    let error = witness.add_checkpoint(&request).unwrap_err();
    assert_eq!(error.status(), 400);
    // Claiming the smaller size as the old one.
    let error = witness.add_checkpoint(&log.request(20, 20)).unwrap_err();
    assert_eq!(error.latest_size(), Some(50));
    assert_eq!(stored_size(&witness), Some(50));
}

#[test]
fn same_size_with_another_root_is_a_conflict() {
    let (_dir, log, witness) = setup();
    witness.add_checkpoint(&log.request(0, 10)).unwrap();
    let mut forked = Log::new();
    forked.leaves[3] = leaf_hash(b"rewritten");
    let error = witness.add_checkpoint(&forked.request(10, 10)).unwrap_err();
    assert!(matches!(error, AddError::RootMismatch { size: 10 }), "{error}");
    assert_eq!(error.status(), 409);
}

#[test]
fn state_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("witness.db");
    let log = Log::new();
    {
        let witness = open_witness(&db, &log.signer.verifier());
        witness.add_checkpoint(&log.request(0, 30)).unwrap();
    }
    let witness = open_witness(&db, &log.signer.verifier());
    assert_eq!(stored_size(&witness), Some(30));
    assert_eq!(
        witness
            .add_checkpoint(&log.request(0, 40))
            .unwrap_err()
            .latest_size(),
        Some(30)
    );
    witness.add_checkpoint(&log.request(30, 40)).unwrap();
    assert_eq!(witness.state().logs().unwrap().len(), 1);
}

#[test]
fn racing_requests_never_roll_the_state_back() {
    let (_dir, log, witness) = setup();
    witness.add_checkpoint(&log.request(0, 10)).unwrap();
    let requests: Vec<_> = (11..=40).map(|new| log.request(10, new)).collect();
    let accepted: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = requests
            .iter()
            .map(|request| scope.spawn(|| witness.add_checkpoint(request).ok().map(|c| c.size)))
            .collect();
        handles.into_iter().filter_map(|h| h.join().unwrap()).collect()
    });
    // All claimed old size 10; only the first to commit can have matched it.
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert_eq!(stored_size(&witness), Some(accepted[0]));
}

/// Checkpoints, log key and proof from transparency-dev/witness
/// (persistence/sqlite/sqlite_test.go, TestDeadlock): a log signed by Go's
/// golang.org/x/mod/sumdb/note, growing from 5 to 8 entries.
#[test]
fn go_signed_checkpoints_and_proof() {
    let dir = tempfile::tempdir().unwrap();
    let state = WitnessState::open(&dir.path().join("w.db")).unwrap();
    let key = Verifier::from_text("monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT").unwrap();
    state.add_log("monkeys", &key, "now").unwrap();
    let witness = Witness::with_clock(witness_signer(), state, Box::new(|| NOW));
    let first = "monkeys\n5\n41smjBUiAU70EtKlT6lIOIYtRTYxYXsDB+XHfcvu/BE=\n\n\
        — monkeys 202fftzGl3LVoqjXfwCFZZXs8I+5G22+Ek2K0AOyBuSJ/8/CZawNF+6fNlTKOCd622pbzJNkkJFWuw9DbicZCkEx9AY=\n";
    let next = "monkeys\n8\nV8K9aklZ4EPB+RMOk1/8VsJUdFZR77GDtZUQq84vSbo=\n\n\
        — monkeys 202ffoUEboiQYpHzICeaFmoy3RNviHTpAxYrq/eO4QQVQMvu9UebKBMX2MJC76NLthZaKsnKbCA8GxrjePZhvDCH7Ag=\n";
    let hex = |s: &str| -> Hash {
        let bytes: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        bytes.try_into().unwrap()
    };
    let proof = [
        "b9e1d62618f7fee8034e4c5010f727ab24d8e4705cb296c374bf2025a87a10d2",
        "aac66cd7a79ce4012d80762fe8eec3a77f22d1ca4145c3f4cee022e7efcd599d",
        "89d0f753f66a290c483b39cd5e9eafb12021293395fad3d4a2ad053cfbcfdc9e",
        "29e40bb79c966f4c6fe96aff6f30acfce5f3e8d84c02215175d6e018a5dee833",
    ]
    .map(hex)
    .to_vec();
    let request = |old_size, checkpoint: &str, proof: Vec<Hash>| AddCheckpointRequest {
        old_size,
        proof,
        checkpoint: checkpoint.to_owned(),
    };
    witness.add_checkpoint(&request(0, first, Vec::new())).unwrap();
    let mut bad = proof.clone();
    bad.swap(0, 1);
    assert_eq!(
        witness
            .add_checkpoint(&request(5, next, bad))
            .unwrap_err()
            .status(),
        422
    );
    let cosignature = witness.add_checkpoint(&request(5, next, proof)).unwrap();
    assert_eq!(cosignature.size, 8);
}
