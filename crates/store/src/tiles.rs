//! The log's Merkle tree kept as C2SP tlog-tiles, so that roots and proofs
//! for any tree size are computed from a handful of stored tiles instead of
//! every leaf, and the tiles can be published as they are.
//!
//! Full tiles are written once and never change; the right-edge (partial)
//! tile of each level is rewritten as it grows. Both happen in the same
//! transaction as the entries they cover.

use std::cell::RefCell;
use std::collections::HashMap;

use mandate_ledger::merkle::{
    consistency_proof_from_source, inclusion_proof_from_source, root_from_source, CompactRange, Hash,
    NodeSource, ProveError,
};
use mandate_ledger::tiles::{
    hashes_from_bytes, hashes_to_bytes, node_position, FullTile, TileEdge, TILE_HEIGHT, TILE_WIDTH,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::log::{save_frontier, to_hash};
use crate::{Result, Store, StoreError};

/// Full tiles buffered while rebuilding, before they are written.
const REBUILD_FLUSH: usize = 1024;

/// Tiles appended by a batch that is not yet committed: the new right edge
/// and the tiles that filled up.
#[derive(Debug, Clone)]
pub(crate) struct PendingTiles {
    pub edge: TileEdge,
    pub full: Vec<FullTile>,
}

impl PendingTiles {
    pub fn new(edge: &TileEdge) -> Self {
        Self {
            edge: edge.clone(),
            full: Vec::new(),
        }
    }

    pub fn push(&mut self, leaf: Hash) -> Result<()> {
        Ok(self.edge.push(leaf, &mut self.full)?)
    }

    /// Writes the filled tiles and the right edge (inside the caller's transaction).
    pub fn save(&mut self, conn: &Connection) -> Result<()> {
        // A full tile is immutable: it replaces the partial tile it grew
        // from, and is never replaced itself.
        let mut upsert = conn.prepare_cached(
            "INSERT INTO log_tiles (level, idx, width, hashes) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(level, idx) DO UPDATE SET width = excluded.width, hashes = excluded.hashes
             WHERE log_tiles.width < 256",
        )?;
        for full in self.full.drain(..) {
            let t = full.tile;
            upsert.execute(params![
                t.level(),
                t.index(),
                t.width(),
                hashes_to_bytes(&full.hashes)
            ])?;
        }
        for (t, hashes) in self.edge.partial_tiles() {
            upsert.execute(params![t.level(), t.index(), t.width(), hashes_to_bytes(hashes)])?;
        }
        Ok(())
    }
}

/// Hash count at tile `level` for a tree of `size` leaves.
fn level_count(size: u64, level: u8) -> u64 {
    size.checked_shr(u32::from(level) * u32::from(TILE_HEIGHT))
        .unwrap_or(0)
}

/// Width of the stored tile at `level` and `index`, if there is one.
fn stored_width(conn: &Connection, level: u8, index: u64) -> Result<Option<u64>> {
    Ok(conn
        .prepare_cached("SELECT width FROM log_tiles WHERE level = ?1 AND idx = ?2")?
        .query_row(params![level, index], |r| r.get(0))
        .optional()?)
}

/// Number, lowest and highest index of the tiles stored at `level`, from
/// the primary-key index alone (reading the tiles would read them all).
fn level_rows(conn: &Connection, level: u8) -> Result<(u64, Option<u64>, Option<u64>)> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*), MIN(idx), MAX(idx) FROM log_tiles WHERE level = ?1")?
        .query_row([level], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
}

/// Whether the stored tiles are laid out as those of a tree of `size`
/// leaves: tiles `0..n` at each level, the last one as wide as it should be,
/// nothing above the top level. Only the right edge of each level is read;
/// tiles are written with their batch, so the full ones in between are
/// whole unless the database was edited by hand, which `log verify` finds.
fn tiles_match_size(conn: &Connection, size: u64) -> Result<bool> {
    let mut level: u8 = 0;
    loop {
        let hashes = level_count(size, level);
        let full = hashes / u64::from(TILE_WIDTH);
        let partial = hashes % u64::from(TILE_WIDTH);
        let expected = full + u64::from(partial > 0);
        let (rows, min, max) = level_rows(conn, level)?;
        if rows != expected {
            return Ok(false);
        }
        if hashes == 0 {
            // Nothing may be stored above the top level either.
            let above: u64 =
                conn.query_row("SELECT COUNT(*) FROM log_tiles WHERE level > ?1", [level], |r| {
                    r.get(0)
                })?;
            return Ok(above == 0);
        }
        if min != Some(0) || max != Some(expected - 1) {
            return Ok(false);
        }
        if partial > 0 && stored_width(conn, level, full)? != Some(partial) {
            return Ok(false);
        }
        if full > 0 && stored_width(conn, level, full - 1)? != Some(u64::from(TILE_WIDTH)) {
            return Ok(false);
        }
        level += 1;
    }
}

/// The tree size the level-0 tiles describe (full tiles, then the partial one).
fn tiled_size(conn: &Connection) -> Result<u64> {
    let (rows, _, max) = level_rows(conn, 0)?;
    let Some(last) = max else { return Ok(0) };
    let width = stored_width(conn, 0, last)?.unwrap_or(0);
    Ok(rows.saturating_sub(1) * u64::from(TILE_WIDTH) + width)
}

/// Reads the right-edge tiles of a tree of `size` leaves.
fn load_edge(conn: &Connection, size: u64) -> Result<TileEdge> {
    let mut levels = Vec::new();
    let mut level: u8 = 0;
    while level_count(size, level) > 0 {
        let hashes = level_count(size, level);
        let row = if hashes % u64::from(TILE_WIDTH) == 0 {
            Vec::new()
        } else {
            let bytes: Vec<u8> = conn.query_row(
                "SELECT hashes FROM log_tiles WHERE level = ?1 AND idx = ?2",
                params![level, hashes / u64::from(TILE_WIDTH)],
                |r| r.get(0),
            )?;
            hashes_from_bytes(&bytes)?
        };
        levels.push(row);
        level += 1;
    }
    Ok(TileEdge::from_partials(size, levels)?)
}

/// Appends the stored leaf hashes from `edge.size()` on to the tiles.
fn extend_from_leaves(conn: &Connection, edge: TileEdge) -> Result<TileEdge> {
    let mut pending = PendingTiles::new(&edge);
    let mut stmt = conn.prepare("SELECT idx, leaf_hash FROM log_entries WHERE idx >= ?1 ORDER BY idx")?;
    let mut rows = stmt.query([edge.size()])?;
    while let Some(row) = rows.next()? {
        let idx: u64 = row.get(0)?;
        if idx != pending.edge.size() {
            return Err(StoreError::CorruptState(format!(
                "entry {} is missing",
                pending.edge.size()
            )));
        }
        pending.push(to_hash(row.get_ref(1)?.as_blob()?)?)?;
        if pending.full.len() >= REBUILD_FLUSH {
            pending.save(conn)?;
        }
    }
    pending.save(conn)?;
    Ok(pending.edge)
}

/// Loads the right edge of the stored tiles, first bringing the tiles in
/// step with the entries if they lag behind (a database written before
/// tiles existed has none) or do not fit together. Leaf hashes are the
/// source of truth: if the tiles disagree with the saved frontier, both are
/// rebuilt from them.
/// Runs in the caller's write transaction.
pub(crate) fn load_or_rebuild(tx: &Connection, frontier: CompactRange) -> Result<(TileEdge, CompactRange)> {
    let size = frontier.size();
    let mut trust_tiles = true;
    if tiles_match_size(tx, size)? {
        let edge = load_edge(tx, size)?;
        if edge.compact_range()? == frontier {
            return Ok((edge, frontier));
        }
        trust_tiles = false;
    }
    let tiled = tiled_size(tx)?;
    let resume = trust_tiles && tiled <= size && tiles_match_size(tx, tiled)?;
    let mut edge = if resume {
        extend_from_leaves(tx, load_edge(tx, tiled)?)?
    } else {
        tx.execute("DELETE FROM log_tiles", [])?;
        extend_from_leaves(tx, TileEdge::new())?
    };
    let mut rebuilt = edge.compact_range()?;
    if rebuilt != frontier && resume && tiled > 0 {
        // The tiles kept disagree with the leaves: start again from nothing.
        tx.execute("DELETE FROM log_tiles", [])?;
        edge = extend_from_leaves(tx, TileEdge::new())?;
        rebuilt = edge.compact_range()?;
    }
    if rebuilt != frontier {
        save_frontier(tx, &rebuilt)?;
    }
    Ok((edge, rebuilt))
}

/// Perfect-subtree hashes read from the stored tiles (the right edge from
/// memory), each tile read at most once per instance.
struct StoredNodes<'a> {
    conn: &'a Connection,
    edge: &'a TileEdge,
    cache: RefCell<HashMap<(u8, u64), Vec<Hash>>>,
}

impl<'a> StoredNodes<'a> {
    fn new(store: &'a Store) -> Self {
        Self {
            conn: &store.conn,
            edge: &store.edge,
            cache: RefCell::new(HashMap::new()),
        }
    }

    fn with_tile<R>(&self, level: u8, index: u64, f: impl FnOnce(&[Hash]) -> R) -> Result<R> {
        if self.edge.partial_tile(level).is_some_and(|t| t.index() == index) {
            return Ok(f(self.edge.partial_hashes(level)));
        }
        let mut cache = self.cache.borrow_mut();
        if let Some(hashes) = cache.get(&(level, index)) {
            return Ok(f(hashes));
        }
        let bytes: Vec<u8> = self
            .conn
            .prepare_cached("SELECT hashes FROM log_tiles WHERE level = ?1 AND idx = ?2")?
            .query_row(params![level, index], |r| r.get(0))
            .optional()?
            .ok_or_else(|| {
                StoreError::CorruptState(format!("tile at level {level}, index {index} is missing"))
            })?;
        let hashes = hashes_from_bytes(&bytes)?;
        let out = f(&hashes);
        cache.insert((level, index), hashes);
        Ok(out)
    }
}

impl NodeSource for StoredNodes<'_> {
    type Error = StoreError;

    fn node(&self, level: u8, index: u64) -> Result<Hash> {
        let pos = node_position(level, index);
        Ok(self.with_tile(pos.tile_level, pos.tile_index, |hashes| pos.hash(hashes))??)
    }
}

fn flatten(err: ProveError<StoreError>) -> StoreError {
    match err {
        ProveError::Invalid(e) => e.into(),
        ProveError::Source(e) => e,
    }
}

impl Store {
    fn check_size(&self, size: u64) -> Result<()> {
        if size > self.log_size() {
            return Err(StoreError::BeyondLog {
                size,
                log_size: self.log_size(),
            });
        }
        Ok(())
    }

    /// RFC 9162 root of the first `size` entries.
    pub fn root_at(&self, size: u64) -> Result<Hash> {
        self.check_size(size)?;
        root_from_source(&StoredNodes::new(self), size)
    }

    /// Inclusion proof of entry `index` in the tree of the first `size`
    /// entries (RFC 9162 §2.1.3), leaf side first.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        self.check_size(size)?;
        inclusion_proof_from_source(&StoredNodes::new(self), index, size).map_err(flatten)
    }

    /// Consistency proof from the tree of `old_size` entries to the tree of
    /// `new_size` entries (RFC 9162 §2.1.4).
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>> {
        self.check_size(new_size)?;
        consistency_proof_from_source(&StoredNodes::new(self), old_size, new_size).map_err(flatten)
    }

    /// The stored tile at `level` and `index` as it is now: its width and
    /// its hashes as served. A tile of an older tree size is a prefix of it.
    pub fn tile(&self, level: u8, index: u64) -> Result<Option<(u16, Vec<u8>)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT width, hashes FROM log_tiles WHERE level = ?1 AND idx = ?2")?
            .query_row(params![level, index], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// The bodies of entries `[start, end)`, in log order.
    pub fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>> {
        if start > end || end > self.log_size() {
            return Err(StoreError::EntryRange {
                start,
                end,
                log_size: self.log_size(),
            });
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT idx, body FROM log_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")?;
        let mut rows = stmt.query(params![start, end])?;
        let mut bodies = Vec::with_capacity(usize::try_from(end - start).unwrap_or(0));
        while let Some(row) = rows.next()? {
            let idx: u64 = row.get(0)?;
            if idx != start + bodies.len() as u64 {
                return Err(StoreError::CorruptState(format!(
                    "entry {} is missing",
                    start + bodies.len() as u64
                )));
            }
            bodies.push(row.get(1)?);
        }
        if bodies.len() as u64 != end - start {
            return Err(StoreError::CorruptState(format!(
                "entry {} is missing",
                start + bodies.len() as u64
            )));
        }
        Ok(bodies)
    }
}
