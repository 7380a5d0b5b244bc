//! Tamper-evident transparency log primitives for mandate.
//!
//! Pure logic, no I/O: RFC 9162 Merkle trees and proofs ([`merkle`]),
//! C2SP signed notes ([`note`]), C2SP tlog checkpoints ([`checkpoint`]) and
//! C2SP tlog-tiles ([`tiles`]).
//! Formats follow the public specifications so that independent tooling can
//! audit the log.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod checkpoint;
pub mod commitment;
pub mod cosignature;
mod key_text;
pub mod merkle;
pub mod note;
pub mod tiles;

pub use checkpoint::{open_checkpoint, sign_checkpoint, Checkpoint, CheckpointError};
pub use merkle::{
    consistency_proof, consistency_proof_from_source, empty_root, inclusion_proof,
    inclusion_proof_from_source, leaf_hash, node_hash, root_from_inclusion_proof, root_from_leaf_hashes,
    root_from_source, verify_consistency, verify_inclusion, CompactRange, Hash, MerkleError, NodeSource,
    ProofError, ProveError, HASH_SIZE,
};
pub use note::{
    add_signatures, key_hash, open_note, sign_note, validate_key_name, NoteError, NoteSignature, OpenedNote,
    Signer, Verifier,
};

/// Any error of this crate, for callers that do not need to tell them apart.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// Proof generation or compact-range error.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// Proof verification failure.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// Signed-note error.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// Checkpoint error.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// Tile or entry-bundle error.
    #[error(transparent)]
    Tile(#[from] tiles::TileError),
}
