//! Embedded storage for mandate (SQLite): the transparency log's entries and
//! tree state, the record index the checks read, import bookkeeping, signed
//! checkpoints and findings.
//!
//! # Write order (why an acknowledged record is never lost)
//!
//! One import batch is one SQLite transaction, in this order: insert the log
//! entries (canonical JSON and leaf hash), insert their index rows and the
//! batch's rejections, save the new Merkle frontier, advance the import's
//! "records consumed" counter, COMMIT. The database runs in WAL mode with
//! `synchronous = FULL`, so COMMIT returns only once the batch is on disk.
//! Only after COMMIT returns does the caller count the batch as accepted.
//! A crash before that rolls the whole batch back; the import of the same
//! file then resumes after the last committed record.
//!
//! # Recovery at start-up
//!
//! [`Store::open`] checks that the saved frontier's size equals the number
//! of entries; if not (a database edited by hand, or written by an older
//! version), it rebuilds the frontier from the stored leaf hashes.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod findings;
mod imports;
mod log;
mod schema;

pub use findings::{CheckRun, StoredFindings};
pub use imports::{ImportState, ImportSummary, NewRecord, Rejection};
pub use log::{LoggedRow, StoredCheckpoint};

use std::path::Path;

use mandate_ledger::merkle::CompactRange;
use rusqlite::Connection;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the log's stored tree state is corrupt: {0}")]
    CorruptState(String),
    #[error("a stored value has the wrong type: {0}")]
    Column(#[from] rusqlite::types::FromSqlError),
    #[error("the log's tree: {0}")]
    Merkle(#[from] mandate_ledger::merkle::MerkleError),
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open mandate database.
pub struct Store {
    conn: Connection,
    /// The right edge of the Merkle tree over all entries, kept in step with the database.
    frontier: CompactRange,
}

impl Store {
    /// Open (creating if needed) the database at `path`, and recover the tree state.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        schema::prepare(&conn)?;
        let frontier = log::load_or_rebuild_frontier(&conn)?;
        Ok(Store { conn, frontier })
    }

    /// Number of entries in the log.
    pub fn log_size(&self) -> u64 {
        self.frontier.size()
    }

    /// Merkle root (RFC 9162) of the whole log.
    pub fn root(&self) -> mandate_ledger::merkle::Hash {
        self.frontier.root()
    }
}
