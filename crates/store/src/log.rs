//! The log's entries, tree state and checkpoints.

use mandate_ledger::merkle::{leaf_hash, CompactRange, Hash};
use rusqlite::{params, Connection, OptionalExtension};

use crate::tiles::PendingTiles;
use crate::{Result, Store, StoreError};

/// A stored checkpoint: the signed note and what it commits to.
#[derive(Debug, Clone)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    pub note: String,
    pub created_at: String,
}

/// One record row as the checks read it.
#[derive(Debug, Clone)]
pub struct LoggedRow {
    pub log_index: u64,
    pub kind: String,
    pub subject: String,
    pub record_id: String,
    pub body: Vec<u8>,
    /// The file the record was imported from.
    pub source: String,
}

/// Which records to visit.
enum Filter<'a> {
    All,
    Subject(&'a str),
    From(u64),
}

pub(crate) fn load_or_rebuild_frontier(conn: &Connection) -> Result<CompactRange> {
    let entries: u64 = conn.query_row("SELECT COUNT(*) FROM log_entries", [], |r| r.get(0))?;
    let saved: Option<(u64, Vec<u8>)> = conn
        .query_row("SELECT size, frontier FROM log_state WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    if let Some((size, bytes)) = saved {
        if size == entries {
            return CompactRange::from_bytes(size, &bytes)
                .map_err(|e| StoreError::CorruptState(e.to_string()));
        }
    }
    // Recovery: recompute the frontier from the stored leaf hashes, then save it.
    let mut frontier = CompactRange::new();
    {
        let mut stmt = conn.prepare("SELECT idx, leaf_hash FROM log_entries ORDER BY idx")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx: u64 = row.get(0)?;
            if idx != frontier.size() {
                return Err(StoreError::CorruptState(format!(
                    "entry {} is missing",
                    frontier.size()
                )));
            }
            frontier.push(to_hash(&row.get::<_, Vec<u8>>(1)?)?)?;
        }
    }
    save_frontier(conn, &frontier)?;
    Ok(frontier)
}

pub(crate) fn save_frontier(conn: &Connection, frontier: &CompactRange) -> Result<()> {
    conn.execute(
        "INSERT INTO log_state (id, size, frontier) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET size = excluded.size, frontier = excluded.frontier",
        params![frontier.size(), frontier.to_bytes()],
    )?;
    Ok(())
}

pub(crate) fn to_hash(bytes: &[u8]) -> Result<Hash> {
    bytes
        .try_into()
        .map_err(|_| StoreError::CorruptState(format!("a stored hash has {} bytes, not 32", bytes.len())))
}

impl Store {
    /// Append one entry inside an open transaction; returns its index.
    pub(crate) fn append_entry(tx: &Connection, tiles: &mut PendingTiles, body: &[u8]) -> Result<u64> {
        let index = tiles.edge.size();
        let leaf = leaf_hash(body);
        tx.prepare_cached("INSERT INTO log_entries (idx, leaf_hash, body) VALUES (?1, ?2, ?3)")?
            .execute(params![index, &leaf[..], body])?;
        tiles.push(leaf)?;
        Ok(index)
    }

    /// Appends log entries that are not records (no index rows, no import
    /// bookkeeping) in one durable transaction: entries, tiles, frontier,
    /// COMMIT. Returns the indexes they got.
    pub fn append_entries<B: AsRef<[u8]>>(&mut self, bodies: &[B]) -> Result<std::ops::Range<u64>> {
        let tx = self.conn.transaction()?;
        let mut tiles = PendingTiles::new(&self.edge);
        let first = tiles.edge.size();
        for body in bodies {
            Store::append_entry(&tx, &mut tiles, body.as_ref())?;
        }
        tiles.save(&tx)?;
        let frontier = tiles.edge.compact_range()?;
        save_frontier(&tx, &frontier)?;
        tx.commit()?;
        let end = tiles.edge.size();
        self.frontier = frontier;
        self.edge = tiles.edge;
        Ok(first..end)
    }

    /// Visit every entry in log order: index, stored leaf hash, body.
    pub fn for_each_entry(&self, mut visit: impl FnMut(u64, &[u8], &[u8]) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT idx, leaf_hash, body FROM log_entries ORDER BY idx")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let idx: u64 = row.get(0)?;
            let leaf = row.get_ref(1)?.as_blob()?;
            let body = row.get_ref(2)?.as_blob()?;
            visit(idx, leaf, body)?;
        }
        Ok(())
    }

    /// Entries among the first `size` whose body is longer than `limit`
    /// bytes, with their lengths (a tile's entry bundle holds at most 65,535).
    pub fn entries_longer_than(&self, limit: usize, size: u64) -> Result<Vec<(u64, u64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT idx, length(body) FROM log_entries WHERE idx < ?1 AND length(body) > ?2 ORDER BY idx",
        )?;
        let rows = stmt.query_map(params![size, limit as u64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The body of one entry.
    pub fn entry(&self, index: u64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row("SELECT body FROM log_entries WHERE idx = ?1", [index], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Visit the records of the given kinds grouped by subject (a confidential
    /// record comes with its hidden content, not its commitment), each subject's
    /// records in time order (records without a time, such as a case's own
    /// record, first), ties in log order.
    pub fn for_each_record(&self, kinds: &[&str], visit: impl FnMut(LoggedRow) -> Result<()>) -> Result<()> {
        self.visit_records(kinds, Filter::All, visit)
    }

    /// [`Store::for_each_record`] for one subject only (a case: `PROCESS/CASE_ID`).
    pub fn for_each_record_of(
        &self,
        kinds: &[&str],
        subject: &str,
        visit: impl FnMut(LoggedRow) -> Result<()>,
    ) -> Result<()> {
        self.visit_records(kinds, Filter::Subject(subject), visit)
    }

    /// The records of the given kinds logged at index `from` or later, in log
    /// order: what a follower has not seen yet. Records another process is
    /// appending show up once its transaction has committed.
    pub fn for_each_record_from(
        &self,
        kinds: &[&str],
        from: u64,
        visit: impl FnMut(LoggedRow) -> Result<()>,
    ) -> Result<()> {
        self.visit_records(kinds, Filter::From(from), visit)
    }

    fn visit_records(
        &self,
        kinds: &[&str],
        filter: Filter<'_>,
        mut visit: impl FnMut(LoggedRow) -> Result<()>,
    ) -> Result<()> {
        let placeholders = vec!["?"; kinds.len()].join(", ");
        let by_subject = "r.subject, r.time_ms, r.idx";
        let (condition, order, value): (&str, &str, Option<rusqlite::types::Value>) = match filter {
            Filter::All => ("", by_subject, None),
            Filter::Subject(subject) => ("AND r.subject = ?", by_subject, Some(subject.to_string().into())),
            Filter::From(from) => (
                "AND r.idx >= ?",
                "r.idx",
                Some(i64::try_from(from).unwrap_or(i64::MAX).into()),
            ),
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT r.idx, r.kind, r.subject, r.record_id, COALESCE(c.content, e.body), i.file
             FROM records r JOIN log_entries e ON e.idx = r.idx
             JOIN imports i ON i.id = r.import_id
             LEFT JOIN confidential c ON c.idx = r.idx
             WHERE r.kind IN ({placeholders}) {condition}
             ORDER BY {order}"
        ))?;
        let params = kinds
            .iter()
            .map(|k| rusqlite::types::Value::from(k.to_string()))
            .chain(value);
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            visit(LoggedRow {
                log_index: row.get(0)?,
                kind: row.get(1)?,
                subject: row.get(2)?,
                record_id: row.get(3)?,
                body: row.get(4)?,
                source: row.get(5)?,
            })?;
        }
        Ok(())
    }

    pub fn save_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO checkpoints (size, root, note, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                checkpoint.size,
                &checkpoint.root[..],
                checkpoint.note,
                checkpoint.created_at
            ],
        )?;
        Ok(())
    }

    /// All checkpoints, oldest first.
    pub fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        let mut stmt = self
            .conn
            .prepare("SELECT size, root, note, created_at FROM checkpoints ORDER BY size")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, u64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.map(|row| {
            let (size, root, note, created_at) = row?;
            Ok(StoredCheckpoint {
                size,
                root: to_hash(&root)?,
                note,
                created_at,
            })
        })
        .collect()
    }
}
