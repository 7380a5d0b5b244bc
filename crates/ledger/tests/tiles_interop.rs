//! Our tiles read by an independent implementation: Cloudflare's `tlog_tiles`
//! (a port of Go's sumdb `tlog`) fetches them through its `TileHashReader`,
//! which authenticates every tile against the tree root, and computes roots
//! and proofs from them; they must equal ours. Its paths (`tile/8/L/N`, the
//! sumdb form with the height) must be ours with the height left out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use mandate_ledger::merkle::{consistency_proof, inclusion_proof, leaf_hash, root_from_leaf_hashes, Hash};
use mandate_ledger::tiles::{hashes_to_bytes, tiles_for_size, Tile, TileEdge};
use tlog_tiles::{Error as TlogError, TileHashReader, TileReader};

/// Tiles by (level, index), as a tile server would hold them at the tree's size.
struct Served {
    tiles: HashMap<(u8, u64), Vec<u8>>,
}

impl TileReader for Served {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        tiles
            .iter()
            .map(|t| {
                let data = self
                    .tiles
                    .get(&(t.level(), t.level_index()))
                    .ok_or(TlogError::InvalidTile)?;
                // A narrower (older) version of a tile is a prefix of it.
                Ok(data[..t.width() as usize * 32].to_vec())
            })
            .collect()
    }

    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

fn build(size: u64) -> (Vec<Hash>, Served) {
    let leaves: Vec<Hash> = (0..size)
        .map(|i| leaf_hash(format!("record {i}").as_bytes()))
        .collect();
    let mut edge = TileEdge::new();
    let mut full = Vec::new();
    for leaf in &leaves {
        edge.push(*leaf, &mut full).unwrap();
    }
    let mut tiles: HashMap<(u8, u64), Vec<u8>> = full
        .iter()
        .map(|f| ((f.tile.level(), f.tile.index()), hashes_to_bytes(&f.hashes)))
        .collect();
    for (t, hashes) in edge.partial_tiles() {
        tiles.insert((t.level(), t.index()), hashes_to_bytes(hashes));
    }
    (leaves, Served { tiles })
}

#[test]
fn their_tile_reader_authenticates_our_tiles_and_agrees_on_proofs() {
    for size in [1u64, 255, 256, 257, 1000, 65_537] {
        let (leaves, served) = build(size);
        let root = root_from_leaf_hashes(&leaves);
        let reader = TileHashReader::new(size, tlog_tiles::Hash(root), &served);
        assert_eq!(
            tlog_tiles::tree_hash(size, &reader).unwrap().0,
            root,
            "root at {size}"
        );
        // Each of our slice-based proofs hashes every leaf: few of them on the big tree.
        let indexes = if size > 1000 {
            vec![size - 1]
        } else {
            vec![0, size / 3, size / 2, size - 1]
        };
        for index in indexes {
            let theirs = tlog_tiles::prove_record(size, index, &reader).unwrap();
            let ours = inclusion_proof(index, &leaves).unwrap();
            assert_eq!(
                theirs.iter().map(|h| h.0).collect::<Vec<_>>(),
                ours,
                "{index} in {size}"
            );
        }
        let olds = if size > 1000 {
            vec![size / 2]
        } else {
            vec![1, size / 2, size]
        };
        for old in olds.into_iter().filter(|&old| old > 0) {
            let theirs = tlog_tiles::prove_tree(size, old, &reader).unwrap();
            let ours = consistency_proof(old, &leaves).unwrap();
            assert_eq!(
                theirs.iter().map(|h| h.0).collect::<Vec<_>>(),
                ours,
                "{old} to {size}"
            );
        }
    }
}

#[test]
fn their_paths_are_ours_with_the_height() {
    let far = [(0, 1_234_067, 8), (4, 1_234_067, 256), (2, 999_999_999_999, 17)]
        .map(|(level, index, width)| Tile::new(level, index, width).unwrap());
    for t in tiles_for_size(70_000).chain(far) {
        let theirs = tlog_tiles::Tile::new(8, t.level(), t.index(), u32::from(t.width()), false);
        assert_eq!(theirs.path(), t.path().replacen("tile/", "tile/8/", 1));
    }
}
