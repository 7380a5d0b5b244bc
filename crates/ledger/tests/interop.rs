//! Interoperability with an independent implementation of the same specs:
//! Cloudflare's `signed_note` (c2sp.org/signed-note) and `tlog_tiles`
//! (c2sp.org/tlog-checkpoint, and the RFC 6962/9162 tree and proofs as in Go's
//! sumdb `tlog`). Our notes and checkpoints must verify there, theirs here,
//! and both sides must agree on tree hashes and proofs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mandate_ledger::checkpoint::{open_checkpoint, sign_checkpoint, Checkpoint};
use mandate_ledger::merkle::{
    consistency_proof, inclusion_proof, leaf_hash, root_from_leaf_hashes, verify_consistency,
    verify_inclusion, Hash,
};
use mandate_ledger::note::{open_note, sign_note, Signer, Verifier};
use signed_note::{Note, StandardSigner, StandardVerifier, VerifierList};
use tlog_tiles::{Error as TlogError, HashReader};

const SEED: [u8; 32] = [7; 32];

fn their_verifiers(vkey: &str) -> VerifierList {
    VerifierList::new(vec![Box::new(StandardVerifier::new(vkey).unwrap())])
}

#[test]
fn our_signed_note_verifies_with_their_implementation() {
    let signer = Signer::from_seed("audit.example.gov/log", &SEED).unwrap();
    let note = sign_note("hello\nworld\n", &[&signer]).unwrap();
    let parsed = Note::from_bytes(note.as_bytes()).unwrap();
    let (verified, unverified) = parsed
        .verify(&their_verifiers(&signer.verifier_key_text()))
        .unwrap();
    assert_eq!(verified.len(), 1);
    assert!(unverified.is_empty());
    assert_eq!(parsed.text(), b"hello\nworld\n");
}

#[test]
fn their_signed_note_verifies_with_ours() {
    let ours = Signer::from_seed("audit.example.gov/log", &SEED).unwrap();
    // Same private-key text format (Go's note package), read by their parser.
    let theirs = StandardSigner::new(&ours.private_key_text()).unwrap();
    let mut note = Note::new(b"a note signed elsewhere\n", &[]).unwrap();
    note.add_sigs(&[&theirs]).unwrap();
    let text = String::from_utf8(note.to_bytes()).unwrap();
    let verifier = Verifier::from_text(&ours.verifier_key_text()).unwrap();
    let opened = open_note(&text, &[verifier]).unwrap();
    assert_eq!(opened.text, "a note signed elsewhere\n");
    // Ed25519 is deterministic: both implementations produce the same note.
    assert_eq!(text, sign_note("a note signed elsewhere\n", &[&ours]).unwrap());
}

#[test]
fn checkpoints_parse_both_ways() {
    let signer = Signer::from_seed("audit.example.gov/log", &SEED).unwrap();
    let leaves: Vec<Hash> = (0..1000u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let ours = Checkpoint::new("audit.example.gov/log", 1000, root_from_leaf_hashes(&leaves));
    let note = sign_checkpoint(&ours, &signer).unwrap();

    let parsed = Note::from_bytes(note.as_bytes()).unwrap();
    parsed
        .verify(&their_verifiers(&signer.verifier_key_text()))
        .unwrap();
    let theirs = tlog_tiles::Checkpoint::from_bytes(parsed.text()).unwrap();
    assert_eq!(theirs.origin(), "audit.example.gov/log");
    assert_eq!(theirs.size(), 1000);
    assert_eq!(theirs.hash().0, ours.root);

    let back = String::from_utf8(theirs.to_bytes()).unwrap();
    assert_eq!(Checkpoint::parse(&back).unwrap(), ours);
    let verifier = Verifier::from_text(&signer.verifier_key_text()).unwrap();
    assert_eq!(open_checkpoint(&note, &verifier).unwrap(), ours);
}

/// Go-style hash storage (every node, in `stored_hash_index` order), filled by their code.
struct Storage(Vec<tlog_tiles::Hash>);

impl HashReader for Storage {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, TlogError> {
        Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
    }
}

fn their_storage(records: &[Vec<u8>]) -> Storage {
    let mut storage = Storage(Vec::new());
    for (n, record) in records.iter().enumerate() {
        let new = tlog_tiles::stored_hashes(n as u64, record, &storage).unwrap();
        storage.0.extend(new);
    }
    storage
}

#[test]
fn tree_hashes_and_proofs_agree_with_their_implementation() {
    let records: Vec<Vec<u8>> = (0..300u32)
        .map(|i| format!("{{\"n\":{i}}}").into_bytes())
        .collect();
    let leaves: Vec<Hash> = records.iter().map(|r| leaf_hash(r)).collect();
    let storage = their_storage(&records);
    for size in [1u64, 2, 3, 7, 8, 9, 64, 100, 255, 256, 257, 300] {
        let n = size as usize;
        let root = root_from_leaf_hashes(&leaves[..n]);
        let their_root = tlog_tiles::tree_hash(size, &storage).unwrap();
        assert_eq!(their_root.0, root, "root at size {size}");

        for index in [0, size / 2, size - 1] {
            let ours = inclusion_proof(index, &leaves[..n]).unwrap();
            let theirs: Vec<Hash> = tlog_tiles::prove_record(size, index, &storage)
                .unwrap()
                .iter()
                .map(|h| h.0)
                .collect();
            assert_eq!(ours, theirs, "inclusion proof of {index} in {size}");
            let ours_as_theirs: Vec<tlog_tiles::Hash> = ours.iter().map(|h| tlog_tiles::Hash(*h)).collect();
            tlog_tiles::check_record(
                &ours_as_theirs,
                size,
                tlog_tiles::Hash(root),
                index,
                tlog_tiles::Hash(leaves[index as usize]),
            )
            .unwrap();
            verify_inclusion(&leaves[index as usize], index, size, &theirs, &root).unwrap();
        }

        for old in [1, size / 3, size - 1]
            .into_iter()
            .filter(|o| *o >= 1 && *o < size)
        {
            let old_root = root_from_leaf_hashes(&leaves[..old as usize]);
            let ours = consistency_proof(old, &leaves[..n]).unwrap();
            let theirs: Vec<Hash> = tlog_tiles::prove_tree(size, old, &storage)
                .unwrap()
                .iter()
                .map(|h| h.0)
                .collect();
            assert_eq!(ours, theirs, "consistency proof {old} -> {size}");
            verify_consistency(old, size, &old_root, &root, &theirs).unwrap();
        }
    }
}
