//! The right edge of a tiled tree: the partial tile at each level. Enough to
//! append leaves, emit each tile as it fills, and compute the root, without
//! reading back any full tile.

use super::{Tile, TileError, TILE_HEIGHT, TILE_WIDTH};
use crate::merkle::{root_from_leaf_hashes, CompactRange, Hash, MerkleError};

/// A tile that just became full: immutable from now on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullTile {
    /// Its coordinate (width 256).
    pub tile: Tile,
    /// Its 256 hashes.
    pub hashes: Vec<Hash>,
}

/// The partial (right-edge) tile of every level of a tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TileEdge {
    size: u64,
    /// `levels[l]` holds `(size >> 8l) % 256` hashes.
    levels: Vec<Vec<Hash>>,
}

const LEVELS: u8 = 64 / TILE_HEIGHT;

/// Hash count of the partial tile at `level` for a tree of `size` leaves.
fn partial_width(size: u64, level: u8) -> usize {
    let count = size
        .checked_shr(u32::from(level) * u32::from(TILE_HEIGHT))
        .unwrap_or(0);
    (count % u64::from(TILE_WIDTH)) as usize
}

impl TileEdge {
    /// The edge of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Restores an edge from saved partial tiles (`levels[l]` is level `l`'s),
    /// checking each width against the tree size.
    pub fn from_partials(size: u64, mut levels: Vec<Vec<Hash>>) -> Result<Self, TileError> {
        if let Some(extra) = levels.iter().skip(LEVELS.into()).find(|row| !row.is_empty()) {
            return Err(TileError::EdgeWidth {
                level: LEVELS,
                size,
                expected: 0,
                got: extra.len(),
            });
        }
        for level in 0..LEVELS {
            let expected = partial_width(size, level);
            let got = levels.get(usize::from(level)).map_or(0, Vec::len);
            if got != expected {
                return Err(TileError::EdgeWidth {
                    level,
                    size,
                    expected,
                    got,
                });
            }
        }
        while levels.last().is_some_and(Vec::is_empty) {
            levels.pop();
        }
        Ok(Self { size, levels })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; every tile it completes (at most one per level)
    /// is pushed onto `full`, lowest level first.
    pub fn push(&mut self, leaf: Hash, full: &mut Vec<FullTile>) -> Result<(), TileError> {
        let size = self.size.checked_add(1).ok_or(TileError::TreeFull)?;
        let mut hash = leaf;
        for level in 0..LEVELS {
            if self.levels.len() <= usize::from(level) {
                self.levels.push(Vec::with_capacity(TILE_WIDTH.into()));
            }
            let Some(row) = self.levels.get_mut(usize::from(level)) else {
                break;
            };
            row.push(hash);
            if row.len() < usize::from(TILE_WIDTH) {
                break;
            }
            let hashes = std::mem::replace(row, Vec::with_capacity(TILE_WIDTH.into()));
            hash = root_from_leaf_hashes(&hashes);
            // Full tiles at this level in the new tree; the last one is this.
            let done = size
                .checked_shr(u32::from(level + 1) * u32::from(TILE_HEIGHT))
                .unwrap_or(0);
            let tile = Tile::new(level, done.saturating_sub(1), TILE_WIDTH)?;
            full.push(FullTile { tile, hashes });
        }
        self.size = size;
        Ok(())
    }

    /// The non-empty partial tiles, lowest level first.
    pub fn partial_tiles(&self) -> impl Iterator<Item = (Tile, &[Hash])> {
        (0u8..)
            .zip(&self.levels)
            .filter_map(|(level, hashes)| self.partial_tile(level).map(|tile| (tile, hashes.as_slice())))
    }

    /// The partial tile's coordinate at `level`, if that level has one.
    pub fn partial_tile(&self, level: u8) -> Option<Tile> {
        let width = partial_width(self.size, level);
        let count = self.size.checked_shr(u32::from(level) * u32::from(TILE_HEIGHT))?;
        Tile::new(level, count / u64::from(TILE_WIDTH), width as u16).ok()
    }

    /// The hashes of the partial tile at `level` (empty if there is none).
    pub fn partial_hashes(&self, level: u8) -> &[Hash] {
        self.levels.get(usize::from(level)).map_or(&[], Vec::as_slice)
    }

    /// The tree's compact range (one perfect subtree per set bit of the
    /// size), recomputed from the partial tiles.
    pub fn compact_range(&self) -> Result<CompactRange, MerkleError> {
        let mut bytes = Vec::with_capacity(self.size.count_ones() as usize * crate::merkle::HASH_SIZE);
        for row in self.levels.iter().rev() {
            let mut start = 0;
            for below in (0..TILE_HEIGHT).rev() {
                let span = 1usize << below;
                if row.len() & span != 0 {
                    if let Some(part) = row.get(start..start + span) {
                        bytes.extend_from_slice(&root_from_leaf_hashes(part));
                    }
                    start += span;
                }
            }
        }
        CompactRange::from_bytes(self.size, &bytes)
    }

    /// RFC 9162 root of the tree.
    pub fn root(&self) -> Result<Hash, MerkleError> {
        Ok(self.compact_range()?.root())
    }
}
