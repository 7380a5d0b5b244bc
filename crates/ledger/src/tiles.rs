//! C2SP tlog-tiles (<https://c2sp.org/tlog-tiles>): the log's Merkle tree cut
//! into static files that any web server can publish and any client can
//! check, with no log-specific API.
//!
//! A tile at level `L`, index `N` holds up to 256 consecutive hashes of tree
//! level `8 * L`, starting at hash `256 * N`; the 7 levels between two tile
//! levels are recomputed from a tile's hashes. Entry bundles hold the entries
//! whose leaf hashes make up the level-0 tile of the same index.
//!
//! Pure computation, no I/O: coordinates and paths ([`Tile`], [`Bundle`],
//! [`TilePath`]), which tiles make up a tree ([`tiles_for_size`]), where a
//! Merkle node sits inside a tile ([`node_position`]), entry bundle encoding
//! ([`encode_bundle`]) and the growing right edge of a tree ([`TileEdge`]).

mod bundle;
mod edge;
mod path;

pub use bundle::{decode_bundle, encode_bundle, MAX_ENTRY_SIZE};
pub use edge::{FullTile, TileEdge};
pub use path::{
    bundles_for_size, format_index, node_position, tile_at_size, tiles_for_size, Bundle, NodePosition, Tile,
    TilePath,
};

use thiserror::Error;

use crate::merkle::{Hash, HASH_SIZE};

/// Tree levels covered by one tile (fixed by the spec).
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile, and entries in a full bundle.
pub const TILE_WIDTH: u16 = 1 << TILE_HEIGHT;
/// Highest tile level the spec allows in a path.
pub const MAX_TILE_LEVEL: u8 = 63;

/// Errors from tile coordinates, paths, bundles and tile contents.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TileError {
    /// Tile levels run from 0 to 63.
    #[error("tile level {0} is above {MAX_TILE_LEVEL}")]
    Level(u16),
    /// Tiles hold 1 to 256 hashes.
    #[error("tile width {0} is not between 1 and 256")]
    Width(u16),
    /// A path that is not `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`.
    #[error("not a tile path: {path:?} ({reason})")]
    Path { path: String, reason: &'static str },
    /// Tile bytes must be whole 32-byte hashes, as many as the width says.
    #[error("tile data has {got} bytes, expected {expected}")]
    DataLength { expected: usize, got: usize },
    /// A node was looked up in a tile too narrow to hold it.
    #[error("tile {tile} has {width} hashes, the node needs {needed}")]
    TooNarrow {
        tile: String,
        width: usize,
        needed: usize,
    },
    /// The spec's 2-byte length prefix caps entries at 65,535 bytes.
    #[error("entry {index} has {len} bytes; entry bundles hold entries of at most 65535 bytes")]
    EntryTooLarge { index: u64, len: usize },
    /// A bundle must hold exactly as many entries as its width.
    #[error("entry bundle {bundle} needs {expected} entries, got {got}")]
    BundleCount {
        bundle: String,
        expected: usize,
        got: usize,
    },
    /// Bundle bytes end inside a length prefix or an entry.
    #[error("entry bundle is truncated at byte {offset}")]
    BundleTruncated { offset: usize },
    /// More than 256 entries in one bundle.
    #[error("entry bundle holds more than 256 entries")]
    BundleTooLong,
    /// Saved right-edge tiles do not fit the tree size they claim.
    #[error("right-edge tile at level {level} has {got} hashes, a tree of size {size} needs {expected}")]
    EdgeWidth {
        level: u8,
        size: u64,
        expected: usize,
        got: usize,
    },
    /// The tree already holds `u64::MAX` leaves.
    #[error("tree is full")]
    TreeFull,
}

/// Splits tile bytes into hashes, checking they are whole and 1 to 256 of them.
pub fn hashes_from_bytes(bytes: &[u8]) -> Result<Vec<Hash>, TileError> {
    let count = bytes.len() / HASH_SIZE;
    if bytes.len() % HASH_SIZE != 0 || count == 0 || count > usize::from(TILE_WIDTH) {
        let expected = (count.clamp(1, usize::from(TILE_WIDTH))) * HASH_SIZE;
        return Err(TileError::DataLength {
            expected,
            got: bytes.len(),
        });
    }
    Ok(bytes
        .chunks_exact(HASH_SIZE)
        .map(|chunk| {
            let mut h = [0u8; HASH_SIZE];
            h.copy_from_slice(chunk);
            h
        })
        .collect())
}

/// Concatenates hashes into tile bytes, as served.
pub fn hashes_to_bytes(hashes: &[Hash]) -> Vec<u8> {
    hashes.concat()
}

#[cfg(test)]
mod tests;
