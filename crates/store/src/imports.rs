//! Import bookkeeping: which files were read, how far, and what was rejected.

use rusqlite::{params, OptionalExtension};

use crate::log::save_frontier;
use crate::tiles::PendingTiles;
use crate::{Result, Store};

/// A record ready to be appended: canonical JSON plus its index columns.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub body: Vec<u8>,
    pub kind: String,
    pub subject: String,
    pub record_id: String,
    pub time_ms: Option<i64>,
    pub position: String,
    /// For a confidential record: the salt and the hidden canonical JSON;
    /// `body` then holds only the commitment (see [`crate::confidential`]).
    pub confidential: Option<Hidden>,
}

/// The private half of a confidential record.
#[derive(Debug, Clone)]
pub struct Hidden {
    pub salt: [u8; 32],
    pub content: Vec<u8>,
}

/// A record of the source that was not imported, and why.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub position: String,
    pub field: Option<String>,
    pub reason: String,
}

/// What the database knows of a file about to be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportState {
    /// Never seen: import from the start.
    New,
    /// A previous import of the same bytes stopped early: skip what it committed.
    Resume { import_id: i64, consumed: u64 },
    /// Already imported completely.
    Done {
        import_id: i64,
        accepted: u64,
        rejected: u64,
    },
}

#[derive(Debug, Clone)]
pub struct ImportSummary {
    pub id: i64,
    pub file: String,
    pub format: String,
    pub accepted: u64,
    pub rejected: u64,
    pub finished: bool,
}

impl Store {
    /// Look up a file by content hash.
    pub fn import_state(&self, sha256: &str) -> Result<ImportState> {
        let row: Option<(i64, Option<String>, u64, u64, u64)> = self
            .conn
            .query_row(
                "SELECT id, finished_at, consumed, accepted, rejected FROM imports
                 WHERE sha256 = ?1 ORDER BY id DESC LIMIT 1",
                [sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        Ok(match row {
            None => ImportState::New,
            Some((import_id, Some(_), _, accepted, rejected)) => ImportState::Done {
                import_id,
                accepted,
                rejected,
            },
            Some((import_id, None, consumed, _, _)) => ImportState::Resume { import_id, consumed },
        })
    }

    pub fn start_import(&self, file: &str, sha256: &str, format: &str, now: &str) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO imports (file, sha256, format, started_at) VALUES (?1, ?2, ?3, ?4)",
            params![file, sha256, format, now],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Append a batch durably (see the write order in the crate docs).
    /// `consumed` counts the source records this batch covers, accepted or
    /// rejected. Returns the log index of each appended record.
    pub fn append_batch(
        &mut self,
        import_id: i64,
        records: &[NewRecord],
        rejections: &[Rejection],
        consumed: u64,
    ) -> Result<Vec<u64>> {
        let tx = self.conn.transaction()?;
        let mut tiles = PendingTiles::new(&self.edge);
        let mut indexes = Vec::with_capacity(records.len());
        for record in records {
            let index = Store::append_entry(&tx, &mut tiles, &record.body)?;
            tx.prepare_cached(
                "INSERT INTO records (idx, kind, subject, record_id, time_ms, import_id, position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                index,
                record.kind,
                record.subject,
                record.record_id,
                record.time_ms,
                import_id,
                record.position
            ])?;
            if let Some(hidden) = &record.confidential {
                crate::confidential::insert(&tx, index, hidden)?;
            }
            indexes.push(index);
        }
        for rejection in rejections {
            tx.prepare_cached(
                "INSERT INTO rejections (import_id, position, field, reason) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                import_id,
                rejection.position,
                rejection.field,
                rejection.reason
            ])?;
        }
        tiles.save(&tx)?;
        let frontier = tiles.edge.compact_range()?;
        save_frontier(&tx, &frontier)?;
        tx.execute(
            "UPDATE imports SET consumed = consumed + ?2, accepted = accepted + ?3, rejected = rejected + ?4
             WHERE id = ?1",
            params![import_id, consumed, records.len() as u64, rejections.len() as u64],
        )?;
        tx.commit()?;
        self.frontier = frontier;
        self.edge = tiles.edge;
        Ok(indexes)
    }

    pub fn finish_import(&self, import_id: i64, now: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE imports SET finished_at = ?2 WHERE id = ?1",
            params![import_id, now],
        )?;
        Ok(())
    }

    /// The first `limit` rejections of an import, in the order they were met.
    pub fn rejections(&self, import_id: i64, limit: u32) -> Result<Vec<Rejection>> {
        let mut stmt = self.conn.prepare(
            "SELECT position, field, reason FROM rejections WHERE import_id = ?1 ORDER BY rowid LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![import_id, limit], |r| {
            Ok(Rejection {
                position: r.get(0)?,
                field: r.get(1)?,
                reason: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every import, oldest first.
    pub fn imports(&self) -> Result<Vec<ImportSummary>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, file, format, accepted, rejected, finished_at FROM imports ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(ImportSummary {
                id: r.get(0)?,
                file: r.get(1)?,
                format: r.get(2)?,
                accepted: r.get(3)?,
                rejected: r.get(4)?,
                finished: r.get::<_, Option<String>>(5)?.is_some(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
