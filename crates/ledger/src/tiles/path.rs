//! Tile and entry-bundle coordinates, their paths, and which of them make up
//! a tree of a given size.

use std::fmt;

use super::{TileError, MAX_TILE_LEVEL, TILE_HEIGHT, TILE_WIDTH};
use crate::merkle::{root_from_leaf_hashes, Hash};

/// A hash tile: `width` hashes of tree level `8 * level`, starting at hash
/// `256 * index` of that level. Width 256 is a full tile, less is partial.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    level: u8,
    index: u64,
    width: u16,
}

/// An entry bundle: the `width` entries whose leaf hashes form level-0 tile `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bundle {
    index: u64,
    width: u16,
}

fn check_width(width: u16) -> Result<(), TileError> {
    if (1..=TILE_WIDTH).contains(&width) {
        Ok(())
    } else {
        Err(TileError::Width(width))
    }
}

impl Tile {
    /// A tile coordinate; fails on a level above 63 or a width outside 1..=256.
    pub fn new(level: u8, index: u64, width: u16) -> Result<Self, TileError> {
        if level > MAX_TILE_LEVEL {
            return Err(TileError::Level(level.into()));
        }
        check_width(width)?;
        Ok(Self { level, index, width })
    }

    /// Tile level: 0 holds leaf hashes.
    pub fn level(&self) -> u8 {
        self.level
    }

    /// Position of the tile within its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Number of hashes, 1 to 256.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether the tile holds all 256 hashes (and so never changes).
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// Size in bytes of the tile's data.
    pub fn byte_len(&self) -> usize {
        usize::from(self.width) * crate::merkle::HASH_SIZE
    }

    /// `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!("tile/{}/{}", self.level, index_and_width(self.index, self.width))
    }
}

impl Bundle {
    /// A bundle coordinate; fails on a width outside 1..=256.
    pub fn new(index: u64, width: u16) -> Result<Self, TileError> {
        check_width(width)?;
        Ok(Self { index, width })
    }

    /// The bundle whose entries hash to the given level-0 tile.
    pub fn for_tile(tile: &Tile) -> Self {
        Self {
            index: tile.index,
            width: tile.width,
        }
    }

    /// Position of the bundle, the same as its level-0 tile's.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Number of entries, 1 to 256.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether the bundle holds all 256 entries.
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// Log index of the first entry.
    pub fn first_entry(&self) -> u64 {
        self.index.saturating_mul(TILE_WIDTH.into())
    }

    /// Log indexes of the entries, `[first, first + width)`.
    pub fn entries(&self) -> std::ops::Range<u64> {
        let first = self.first_entry();
        first..first.saturating_add(self.width.into())
    }

    /// `tile/entries/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!("tile/entries/{}", index_and_width(self.index, self.width))
    }
}

impl fmt::Display for Tile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

impl fmt::Display for Bundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// Encodes a tile index as 3-digit groups, all but the last prefixed with
/// `x`: 1234067 becomes `x001/x234/067`, so that no file name is also a folder.
pub fn format_index(index: u64) -> String {
    let mut groups = Vec::new();
    let mut rest = index;
    loop {
        groups.push(rest % 1000);
        rest /= 1000;
        if rest == 0 {
            break;
        }
    }
    let last = groups.len() - 1;
    groups
        .iter()
        .rev()
        .enumerate()
        .map(|(i, g)| {
            if i == last {
                format!("{g:03}")
            } else {
                format!("x{g:03}")
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn index_and_width(index: u64, width: u16) -> String {
    if width == TILE_WIDTH {
        format_index(index)
    } else {
        format!("{}.p/{width}", format_index(index))
    }
}

/// A parsed tile path: a hash tile or an entry bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TilePath {
    /// `tile/<L>/<N>[.p/<W>]`.
    Hashes(Tile),
    /// `tile/entries/<N>[.p/<W>]`.
    Entries(Bundle),
}

impl TilePath {
    /// Parses a path relative to the log's prefix, accepting only the
    /// canonical form (no leading zeros, no `x000` group in front), so that
    /// each tile has exactly one path.
    pub fn parse(path: &str) -> Result<Self, TileError> {
        let err = |reason| TileError::Path {
            path: path.to_owned(),
            reason,
        };
        let rest = path.strip_prefix("tile/").ok_or_else(|| err("no tile/ prefix"))?;
        let (kind, rest) = rest.split_once('/').ok_or_else(|| err("no index"))?;
        let (index, width) = match rest.split_once(".p/") {
            Some((index, width)) => {
                let w = parse_decimal(width).ok_or_else(|| err("bad partial width"))?;
                if w == 0 || w >= u64::from(TILE_WIDTH) {
                    return Err(err("partial width must be 1 to 255"));
                }
                (index, w as u16)
            }
            None => (rest, TILE_WIDTH),
        };
        let index = parse_index(index).ok_or_else(|| err("bad index"))?;
        if kind == "entries" {
            return Ok(Self::Entries(Bundle { index, width }));
        }
        let level = parse_decimal(kind).ok_or_else(|| err("bad level"))?;
        if level > u64::from(MAX_TILE_LEVEL) {
            return Err(err("level above 63"));
        }
        Ok(Self::Hashes(Tile {
            level: level as u8,
            index,
            width,
        }))
    }

    /// The path this coordinate is served at.
    pub fn path(&self) -> String {
        match self {
            Self::Hashes(tile) => tile.path(),
            Self::Entries(bundle) => bundle.path(),
        }
    }
}

/// A decimal number without sign or leading zeros.
fn parse_decimal(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical {
        s.parse().ok()
    } else {
        None
    }
}

fn parse_group(s: &str) -> Option<u64> {
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn parse_index(s: &str) -> Option<u64> {
    let groups: Vec<&str> = s.split('/').collect();
    let (last, leading) = groups.split_last()?;
    let mut index: u64 = 0;
    for (i, group) in leading.iter().enumerate() {
        let digits = group.strip_prefix('x')?;
        let value = parse_group(digits)?;
        if i == 0 && value == 0 {
            return None; // x000 in front: not the canonical encoding
        }
        index = index.checked_mul(1000)?.checked_add(value)?;
    }
    index.checked_mul(1000)?.checked_add(parse_group(last)?)
}

/// Number of hashes at tile level `level` in a tree of `size` leaves.
fn hashes_at_level(size: u64, level: u8) -> u64 {
    size.checked_shr(u32::from(level) * u32::from(TILE_HEIGHT))
        .unwrap_or(0)
}

/// The tile at `level` and `index` as it is in a tree of `size` leaves:
/// full, partial (with its width), or `None` if the tree does not reach it.
pub fn tile_at_size(level: u8, index: u64, size: u64) -> Option<Tile> {
    let count = hashes_at_level(size, level);
    let first = index.checked_mul(TILE_WIDTH.into())?;
    let width = count.checked_sub(first)?.min(TILE_WIDTH.into());
    (width > 0 && level <= MAX_TILE_LEVEL).then_some(Tile {
        level,
        index,
        width: width as u16,
    })
}

/// Every tile of a tree of `size` leaves, level by level: the full tiles,
/// then the partial one if the level's hash count is not a multiple of 256.
/// A tree of 70,000 leaves has 273 full and one 112-wide tile at level 0,
/// one full and one 17-wide at level 1, and one 1-wide at level 2.
pub fn tiles_for_size(size: u64) -> impl Iterator<Item = Tile> {
    (0..=MAX_TILE_LEVEL)
        .take_while(move |&level| hashes_at_level(size, level) > 0)
        .flat_map(move |level| {
            let count = hashes_at_level(size, level);
            let tiles = count.div_ceil(TILE_WIDTH.into());
            (0..tiles).filter_map(move |index| tile_at_size(level, index, size))
        })
}

/// Every entry bundle of a tree of `size` leaves, in order.
pub fn bundles_for_size(size: u64) -> impl Iterator<Item = Bundle> {
    tiles_for_size(size)
        .take_while(|tile| tile.level == 0)
        .map(|tile| Bundle::for_tile(&tile))
}

/// Where a Merkle node lives in the tiles: the node at tree level `h` and
/// index `i` is the root of `span` consecutive hashes of one tile, starting
/// at `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodePosition {
    /// Level of the tile holding the node's subtree.
    pub tile_level: u8,
    /// Index of that tile within its level.
    pub tile_index: u64,
    /// First hash of the subtree within the tile.
    pub start: u16,
    /// Number of tile hashes under the node: a power of two up to 128.
    pub span: u16,
}

impl NodePosition {
    /// Fewest hashes the tile must hold to contain the node.
    pub fn min_width(&self) -> u16 {
        self.start + self.span
    }

    /// The node's hash, recomputed from its tile's hashes.
    pub fn hash(&self, tile_hashes: &[Hash]) -> Result<Hash, TileError> {
        let range = usize::from(self.start)..usize::from(self.min_width());
        let part = tile_hashes.get(range).ok_or_else(|| TileError::TooNarrow {
            tile: format!("tile/{}/{}", self.tile_level, format_index(self.tile_index)),
            width: tile_hashes.len(),
            needed: usize::from(self.min_width()),
        })?;
        Ok(root_from_leaf_hashes(part))
    }
}

/// Locates node `(level, index)` (the root of leaves
/// `[index << level, (index + 1) << level)`) inside the tiles.
pub fn node_position(level: u8, index: u64) -> NodePosition {
    let below = level % TILE_HEIGHT;
    // The subtree's first hash at the tile level; fits in 72 bits.
    let first = u128::from(index) << below;
    NodePosition {
        tile_level: level / TILE_HEIGHT,
        tile_index: (first >> TILE_HEIGHT) as u64,
        start: (first & 0xff) as u16,
        span: 1 << below,
    }
}
