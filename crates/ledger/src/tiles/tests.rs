//! Tests for tiles: the examples of the tlog-tiles spec and of Go's
//! golang.org/x/mod/sumdb/tlog tile.go, plus cross-checks against the
//! in-memory Merkle maths.

use super::*;
use crate::merkle::{leaf_hash, root_from_leaf_hashes, CompactRange, NodeSource};

fn tile(level: u8, index: u64, width: u16) -> Tile {
    Tile::new(level, index, width).unwrap()
}

fn leaves(n: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
        .collect()
}

// c2sp.org/tlog-tiles: "index 1234067 will be encoded as x001/x234/067";
// tile.go: "123456789 encodes as x123/x456/789", and Tile{H: 3, L: 4,
// N: 1234067, W: 1} is tile/3/4/x001/x234/067.p/1 (tlog-tiles drops the H
// element, fixed at 8).
#[test]
fn paths_follow_the_spec_examples() {
    assert_eq!(format_index(1234067), "x001/x234/067");
    assert_eq!(format_index(123456789), "x123/x456/789");
    assert_eq!(format_index(0), "000");
    assert_eq!(format_index(67), "067");
    assert_eq!(format_index(1000), "x001/000");
    assert_eq!(format_index(u64::MAX), "x018/x446/x744/x073/x709/x551/615");
    assert_eq!(tile(4, 1234067, 1).path(), "tile/4/x001/x234/067.p/1");
    assert_eq!(tile(4, 1234067, 256).path(), "tile/4/x001/x234/067");
    assert_eq!(tile(0, 0, 256).path(), "tile/0/000");
    // transparency-dev/tessera api/layout: EntriesPath(1234067, 8).
    assert_eq!(
        Bundle::new(1234067, 8).unwrap().path(),
        "tile/entries/x001/x234/067.p/8"
    );
    assert_eq!(Bundle::new(5, 256).unwrap().path(), "tile/entries/005");
}

#[test]
fn paths_parse_back() {
    for path in [
        "tile/0/000",
        "tile/0/000.p/1",
        "tile/4/x001/x234/067",
        "tile/4/x001/x234/067.p/255",
        "tile/63/x018/x446/x744/x073/x709/x551/615",
        "tile/entries/x001/x234/067.p/8",
        "tile/entries/999",
    ] {
        assert_eq!(TilePath::parse(path).unwrap().path(), path);
    }
    assert_eq!(
        TilePath::parse("tile/4/x001/x234/067.p/8").unwrap(),
        TilePath::Hashes(tile(4, 1234067, 8))
    );
    assert_eq!(
        TilePath::parse("tile/entries/012").unwrap(),
        TilePath::Entries(Bundle::new(12, 256).unwrap())
    );
}

#[test]
fn non_canonical_paths_are_rejected() {
    for path in [
        "",
        "tile/0",
        "tile/0/",
        "tiles/0/000",
        "tile/00/000",
        "tile/-1/000",
        "tile/64/000",
        "tile/0/67",
        "tile/0/0067",
        "tile/0/x000/067",
        "tile/0/001/067",
        "tile/0/x001/x067",
        "tile/0/x01/067",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/08",
        "tile/0/000.p/",
        "tile/0/000/",
        "tile/data/000",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/0/+12",
    ] {
        assert!(TilePath::parse(path).is_err(), "{path:?} was accepted");
    }
}

#[test]
fn coordinates_are_checked() {
    assert_eq!(Tile::new(0, 0, 0), Err(TileError::Width(0)));
    assert_eq!(Tile::new(0, 0, 257), Err(TileError::Width(257)));
    assert_eq!(Tile::new(64, 0, 1), Err(TileError::Level(64)));
    assert!(tile(0, 0, 256).is_full());
    assert!(!tile(0, 0, 255).is_full());
    assert_eq!(Bundle::new(2, 10).unwrap().entries(), 512..522);
}

// c2sp.org/tlog-tiles, "Partial Tiles": "a tree of size 70,000 will be
// represented by 273 full level 0 tiles, one partial level 0 tile of width
// 112, one full level 1 tile, one partial level 1 tile of width 17, and one
// partial level 2 tile of width 1. Note that a tree of size 256 will be
// represented by a full level 0 tile and a partial level 1 tile of width 1."
#[test]
fn tiles_for_size_matches_the_spec_examples() {
    let tiles: Vec<Tile> = tiles_for_size(70_000).collect();
    let at = |level: u8| tiles.iter().filter(move |t| t.level() == level);
    assert_eq!(at(0).filter(|t| t.is_full()).count(), 273);
    assert_eq!(
        at(0).filter(|t| !t.is_full()).collect::<Vec<_>>(),
        [&tile(0, 273, 112)]
    );
    assert_eq!(at(1).collect::<Vec<_>>(), [&tile(1, 0, 256), &tile(1, 1, 17)]);
    assert_eq!(at(2).collect::<Vec<_>>(), [&tile(2, 0, 1)]);
    assert_eq!(tiles.len(), 273 + 1 + 2 + 1);

    assert_eq!(
        tiles_for_size(256).collect::<Vec<_>>(),
        [tile(0, 0, 256), tile(1, 0, 1)]
    );
    assert_eq!(tiles_for_size(0).count(), 0);
    assert_eq!(tiles_for_size(1).collect::<Vec<_>>(), [tile(0, 0, 1)]);
    assert_eq!(
        bundles_for_size(513).collect::<Vec<_>>(),
        [
            Bundle::new(0, 256).unwrap(),
            Bundle::new(1, 256).unwrap(),
            Bundle::new(2, 1).unwrap()
        ]
    );
    assert_eq!(tile_at_size(0, 1, 300), Some(tile(0, 1, 44)));
    assert_eq!(tile_at_size(0, 2, 300), None);
    assert_eq!(tile_at_size(1, 0, 300), Some(tile(1, 0, 1)));
    assert_eq!(tile_at_size(7, 0, u64::MAX), Some(tile(7, 0, 255)));
}

// Go's tileForIndex: node (level, n) lies in tile N = n << k >> 8 at tile
// level level / 8, from hash (n << k) % 256, with k = level % 8.
#[test]
fn node_positions() {
    let p = node_position(0, 1234067);
    assert_eq!(
        (p.tile_level, p.tile_index, p.start, p.span),
        (0, 1234067 / 256, (1234067 % 256) as u16, 1)
    );
    let p = node_position(3, 5);
    assert_eq!((p.tile_level, p.tile_index, p.start, p.span), (0, 0, 40, 8));
    let p = node_position(9, 300);
    assert_eq!((p.tile_level, p.tile_index, p.start, p.span), (1, 2, 88, 2));
    let p = node_position(63, 1);
    assert_eq!((p.tile_level, p.tile_index, p.start, p.span), (7, 0, 128, 128));
    assert_eq!(p.min_width(), 256);
}

/// The definition in the spec: hash `i` of tile `n` at level `l` is
/// MTH(D[(n * 256 + i) * 256**l : (n * 256 + i + 1) * 256**l]).
fn tile_by_definition(all: &[Hash], t: &Tile) -> Vec<Hash> {
    let span = 1usize << (8 * u32::from(t.level()));
    (0..usize::from(t.width()))
        .map(|i| {
            let start = (t.index() as usize * 256 + i) * span;
            root_from_leaf_hashes(&all[start..start + span])
        })
        .collect()
}

#[test]
fn the_edge_emits_every_tile_of_the_spec_and_the_right_root() {
    let all = leaves(70_000);
    let mut edge = TileEdge::new();
    let mut full = Vec::new();
    let mut range = CompactRange::new();
    let checkpoints = [
        1u64, 2, 255, 256, 257, 511, 512, 4097, 65_535, 65_536, 65_537, 70_000,
    ];
    for (i, leaf) in all.iter().enumerate() {
        edge.push(*leaf, &mut full).unwrap();
        range.push(*leaf).unwrap();
        let size = i as u64 + 1;
        if checkpoints.contains(&size) {
            assert_eq!(edge.size(), size);
            assert_eq!(edge.compact_range().unwrap(), range, "size {size}");
            assert_eq!(edge.root().unwrap(), range.root());
            if size < 5000 {
                assert_eq!(edge.root().unwrap(), root_from_leaf_hashes(&all[..=i]));
            }
            let mut made: Vec<Tile> = full.iter().map(|f| f.tile).collect();
            made.extend(edge.partial_tiles().map(|(t, _)| t));
            made.sort();
            let mut want: Vec<Tile> = tiles_for_size(size).collect();
            want.sort();
            assert_eq!(made, want, "size {size}");
            for (t, hashes) in edge.partial_tiles() {
                assert_eq!(hashes, tile_by_definition(&all, &t), "{t}");
            }
        }
    }
    for f in &full {
        assert_eq!(f.hashes, tile_by_definition(&all, &f.tile), "{}", f.tile);
    }
    // Full tiles come out in the order they fill, lowest level first.
    assert_eq!(full.get(255).map(|f| f.tile), Some(tile(0, 255, 256)));
    assert_eq!(full.get(256).map(|f| f.tile), Some(tile(1, 0, 256)));
}

#[test]
fn the_edge_reproduces_published_roots() {
    // transparency-dev/merkle proof/verify_test.go, as in merkle/tests.rs.
    let data: [&[u8]; 8] = [
        b"",
        &[0x00],
        &[0x10],
        &[0x20, 0x21],
        &[0x30, 0x31],
        &[0x40, 0x41, 0x42, 0x43],
        &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        &[
            0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
        ],
    ];
    let mut edge = TileEdge::new();
    for d in data {
        edge.push(leaf_hash(d), &mut Vec::new()).unwrap();
    }
    assert_eq!(
        hex::encode(edge.root().unwrap()),
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    );
    assert_eq!(
        hex::encode(TileEdge::new().root().unwrap()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn nodes_from_tiles_equal_nodes_from_leaves() {
    let all = leaves(70_000);
    let mut edge = TileEdge::new();
    let mut full = Vec::new();
    for leaf in &all {
        edge.push(*leaf, &mut full).unwrap();
    }
    let mut tiles: std::collections::HashMap<(u8, u64), Vec<Hash>> = full
        .into_iter()
        .map(|f| ((f.tile.level(), f.tile.index()), f.hashes))
        .collect();
    for (t, hashes) in edge.partial_tiles() {
        tiles.insert((t.level(), t.index()), hashes.to_vec());
    }
    for level in 0..17u8 {
        let count = 70_000u64 >> level;
        // Fewer samples high up, where each costs thousands of hashes.
        let step = (count / if level > 8 { 5 } else { 97 }).max(1);
        for index in (0..count).step_by(step as usize).chain([count - 1]) {
            let pos = node_position(level, index);
            let hashes = &tiles[&(pos.tile_level, pos.tile_index)];
            assert_eq!(
                pos.hash(hashes).unwrap(),
                all[..].node(level, index).unwrap(),
                "node ({level}, {index})"
            );
        }
    }
    let pos = node_position(1, 0);
    assert!(matches!(pos.hash(&[[0; 32]]), Err(TileError::TooNarrow { .. })));
}

#[test]
fn edges_restore_only_with_matching_widths() {
    let all = leaves(300);
    let mut edge = TileEdge::new();
    for leaf in &all {
        edge.push(*leaf, &mut Vec::new()).unwrap();
    }
    let partials: Vec<Vec<Hash>> = (0..3).map(|l| edge.partial_hashes(l).to_vec()).collect();
    assert_eq!(partials[0].len(), 44);
    assert_eq!(partials[1].len(), 1);
    let restored = TileEdge::from_partials(300, partials.clone()).unwrap();
    assert_eq!(restored, edge);
    assert!(matches!(
        TileEdge::from_partials(301, partials.clone()),
        Err(TileError::EdgeWidth { level: 0, .. })
    ));
    assert!(TileEdge::from_partials(0, Vec::new()).unwrap().root().is_ok());
    assert!(TileEdge::from_partials(44, partials).is_err());
}

#[test]
fn bundles_use_two_byte_big_endian_lengths() {
    let bundle = Bundle::new(0, 3).unwrap();
    let long = vec![b'z'; 300];
    let entries: [&[u8]; 3] = [b"", b"a", &long];
    let bytes = encode_bundle(&bundle, &entries).unwrap();
    assert_eq!(&bytes[..5], &[0x00, 0x00, 0x00, 0x01, b'a']);
    assert_eq!(&bytes[5..7], &[0x01, 0x2c]);
    assert_eq!(bytes.len(), 2 + 3 + 2 + 300);
    assert_eq!(decode_bundle(&bytes).unwrap(), entries);
    assert_eq!(decode_bundle(&[]).unwrap(), Vec::<&[u8]>::new());
}

#[test]
fn bad_bundles_are_errors() {
    let bundle = Bundle::new(3, 2).unwrap();
    let big = vec![0u8; MAX_ENTRY_SIZE + 1];
    let ok = vec![0u8; MAX_ENTRY_SIZE];
    assert_eq!(
        encode_bundle(&bundle, &[&ok, &big]),
        Err(TileError::EntryTooLarge {
            index: 769,
            len: 65_536
        })
    );
    assert!(matches!(
        encode_bundle(&bundle, &[&ok]),
        Err(TileError::BundleCount {
            expected: 2,
            got: 1,
            ..
        })
    ));
    assert_eq!(
        decode_bundle(&[0x00]),
        Err(TileError::BundleTruncated { offset: 0 })
    );
    assert_eq!(
        decode_bundle(&[0x00, 0x00, 0x00, 0x02, b'a']),
        Err(TileError::BundleTruncated { offset: 2 })
    );
    let too_many = vec![0u8; 2 * 257];
    assert_eq!(decode_bundle(&too_many), Err(TileError::BundleTooLong));
}

#[test]
fn tile_bytes_split_into_hashes() {
    let hashes = leaves(3);
    let bytes = hashes_to_bytes(&hashes);
    assert_eq!(hashes_from_bytes(&bytes).unwrap(), hashes);
    assert!(hashes_from_bytes(&bytes[..95]).is_err());
    assert!(hashes_from_bytes(&[]).is_err());
    assert!(hashes_from_bytes(&vec![0u8; 257 * 32]).is_err());
}
