//! The witness's memory, in SQLite: the logs it follows (origin and
//! trusted keys) and, per log, the latest checkpoint it cosigned.
//!
//! Checking a request against the stored checkpoint and storing the new one
//! happen in one `BEGIN IMMEDIATE` transaction ([`WitnessState::update`]),
//! so two concurrent requests can never roll the stored size back, and a
//! crash leaves either the old state or the new one, never a mix. The
//! database runs in WAL mode with `synchronous = FULL`: COMMIT returns only
//! once the new state is on disk, and the cosignature is sent only after.

use std::path::Path;

use mandate_ledger::merkle::Hash;
use mandate_ledger::note::Verifier;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use thiserror::Error;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS log_keys (
    origin   TEXT NOT NULL,              -- the checkpoint origin line
    key      TEXT NOT NULL,              -- the log's verifier key (signed-note vkey)
    added_at TEXT NOT NULL,
    PRIMARY KEY (origin, key)
);
CREATE TABLE IF NOT EXISTS log_state (
    origin      TEXT PRIMARY KEY,        -- one row per log
    size        INTEGER NOT NULL,        -- size of the latest cosigned checkpoint
    root        BLOB NOT NULL,           -- its root hash
    note        TEXT NOT NULL,           -- the signed checkpoint as submitted
    cosignature TEXT NOT NULL,           -- the signature line this witness returned
    cosigned_at INTEGER NOT NULL         -- the cosignature's timestamp (POSIX seconds)
);
"#;

/// Storage errors.
#[derive(Debug, Error)]
pub enum StateError {
    /// SQLite failed.
    #[error("witness database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value cannot be what this code wrote.
    #[error("witness database is corrupt: {0}")]
    Corrupt(String),
    /// Origins are one line of text.
    #[error("invalid origin {0:?}: it must be one non-empty line without control characters")]
    InvalidOrigin(String),
}

/// The latest checkpoint the witness cosigned for one log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogState {
    /// Tree size.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
    /// The signed checkpoint note as submitted.
    pub note: String,
    /// The cosignature line returned for it.
    pub cosignature: String,
    /// The cosignature's timestamp.
    pub cosigned_at: u64,
}

/// The witness's database.
pub struct WitnessState {
    conn: Connection,
}

fn valid_origin(origin: &str) -> Result<(), StateError> {
    if origin.is_empty() || origin.chars().any(char::is_control) {
        return Err(StateError::InvalidOrigin(origin.to_owned()));
    }
    Ok(())
}

fn read_state(conn: &Connection, origin: &str) -> Result<Option<LogState>, StateError> {
    let row = conn
        .query_row(
            "SELECT size, root, note, cosignature, cosigned_at FROM log_state WHERE origin = ?1",
            [origin],
            |r| {
                Ok((
                    r.get::<_, u64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u64>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((size, root, note, cosignature, cosigned_at)) = row else {
        return Ok(None);
    };
    let root = Hash::try_from(root.as_slice())
        .map_err(|_| StateError::Corrupt(format!("stored root of {origin:?} is not 32 bytes")))?;
    Ok(Some(LogState {
        size,
        root,
        note,
        cosignature,
        cosigned_at,
    }))
}

impl WitnessState {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    /// Trusts `key` for checkpoints of `origin` (a log may have several keys).
    /// Returns false if it was already trusted.
    pub fn add_log(&self, origin: &str, key: &Verifier, now: &str) -> Result<bool, StateError> {
        valid_origin(origin)?;
        let added = self.conn.execute(
            "INSERT OR IGNORE INTO log_keys (origin, key, added_at) VALUES (?1, ?2, ?3)",
            params![origin, key.to_text(), now],
        )?;
        Ok(added == 1)
    }

    /// The keys trusted for `origin`; empty if the witness does not follow it.
    pub fn log_keys(&self, origin: &str) -> Result<Vec<Verifier>, StateError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key FROM log_keys WHERE origin = ?1 ORDER BY key")?;
        let keys = stmt.query_map([origin], |r| r.get::<_, String>(0))?;
        keys.map(|key| {
            let key = key?;
            Verifier::from_text(&key)
                .map_err(|e| StateError::Corrupt(format!("stored key {key:?} of {origin:?}: {e}")))
        })
        .collect()
    }

    /// Every followed log as (origin, verifier key text), sorted.
    pub fn logs(&self) -> Result<Vec<(String, String)>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT origin, key FROM log_keys ORDER BY origin, key")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The latest checkpoint cosigned for `origin`, if any.
    pub fn latest(&self, origin: &str) -> Result<Option<LogState>, StateError> {
        read_state(&self.conn, origin)
    }

    /// Atomically reads the state of `origin`, lets `decide` check a request
    /// against it, and stores the state `decide` returns. Nothing is written
    /// if `decide` fails; the new state is durable when this returns Ok.
    pub fn update<T, E>(
        &mut self,
        origin: &str,
        decide: impl FnOnce(Option<&LogState>) -> Result<(LogState, T), E>,
    ) -> Result<T, E>
    where
        E: From<StateError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StateError::from)?;
        let current = read_state(&tx, origin)?;
        // An error here drops `tx`, which rolls back.
        let (next, result) = decide(current.as_ref())?;
        tx.execute(
            "INSERT INTO log_state (origin, size, root, note, cosignature, cosigned_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root,
                 note = excluded.note, cosignature = excluded.cosignature,
                 cosigned_at = excluded.cosigned_at",
            params![
                origin,
                next.size,
                &next.root[..],
                next.note,
                next.cosignature,
                next.cosigned_at
            ],
        )
        .map_err(StateError::from)?;
        tx.commit().map_err(StateError::from)?;
        Ok(result)
    }
}
