//! Embedded storage for mandate (SQLite): the transparency log's entries and
//! tree state, the record index the checks read, import bookkeeping, signed
//! checkpoints and findings.
//!
//! # Write order (why an acknowledged record is never lost)
//!
//! One import batch is one SQLite transaction, in this order: insert the log
//! entries (canonical JSON and leaf hash), insert their index rows and the
//! batch's rejections, write the tiles the batch filled and the rewritten
//! right-edge tiles, save the new Merkle frontier, advance the import's
//! "records consumed" counter, COMMIT. The database runs in WAL mode with
//! `synchronous = FULL`, so COMMIT returns only once the batch is on disk.
//! Only after COMMIT returns does the caller count the batch as accepted.
//! A crash before that rolls the whole batch back; the import of the same
//! file then resumes after the last committed record.
//!
//! # The tree as tiles
//!
//! Besides the entries, the tree is stored as C2SP tlog-tiles (table
//! `log_tiles`): full tiles are written once, the right-edge tile of each
//! level is rewritten as it grows and also kept in memory, so appending
//! never reads a tile back. Roots and proofs for any tree size up to the
//! log's ([`Store::root_at`], [`Store::inclusion_proof`],
//! [`Store::consistency_proof`]) read a few tiles, never all leaves.
//!
//! # Recovery at start-up
//!
//! [`Store::open`] checks that the saved frontier's size equals the number
//! of entries; if not (a database edited by hand, or written by an older
//! version), it rebuilds the frontier from the stored leaf hashes. It then
//! checks that the tiles are exactly those of a tree of that size and agree
//! with the frontier; tiles that lag behind the entries (or are missing, in
//! a database written before tiles existed) are completed from the leaf
//! hashes, and tiles that do not fit are rebuilt from them. All of this runs
//! in one write (`BEGIN IMMEDIATE`) transaction, so a process opening the
//! log while another appends sees one size throughout, never a sound log
//! that merely moved on between two reads.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod confidential;
mod findings;
mod imports;
mod log;
mod published;
mod schema;
mod tiles;

pub use findings::{CheckRun, StoredFindings};
pub use imports::{Hidden, ImportState, ImportSummary, NewRecord, Rejection};
pub use log::{LoggedRow, StoredCheckpoint};
pub use published::PublishedCheckpoint;

use std::path::Path;

use mandate_ledger::merkle::CompactRange;
use mandate_ledger::tiles::TileEdge;
use rusqlite::{Connection, TransactionBehavior};

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
    #[error("the log's tiles: {0}")]
    Tile(#[from] mandate_ledger::tiles::TileError),
    #[error("tree size {size} is beyond the log's {log_size} entries")]
    BeyondLog { size: u64, log_size: u64 },
    #[error("entries {start}..{end} are not in the log's {log_size} entries")]
    EntryRange { start: u64, end: u64, log_size: u64 },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open mandate database.
pub struct Store {
    conn: Connection,
    /// The right edge of the Merkle tree over all entries, kept in step with the database.
    frontier: CompactRange,
    /// The right-edge tile of each level, as stored, so appends never read tiles back.
    edge: TileEdge,
}

impl Store {
    /// Open (creating if needed) the database at `path`, and recover the tree state.
    ///
    /// The state is read and, if need be, repaired in one write transaction:
    /// another process (`import` while `check --follow` starts) may commit a
    /// batch at any moment, and reads spread over several transactions could
    /// see the entries and the saved state of two different sizes and take a
    /// sound log for one to repair.
    pub fn open(path: &Path) -> Result<Store> {
        let mut conn = Connection::open(path)?;
        schema::prepare(&conn)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let frontier = log::load_or_rebuild_frontier(&tx)?;
        let (edge, frontier) = tiles::load_or_rebuild(&tx, frontier)?;
        tx.commit()?;
        Ok(Store { conn, frontier, edge })
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
