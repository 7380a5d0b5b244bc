//! Tests for the Merkle maths: published vectors, an independent naive
//! implementation, and property tests.

use super::*;
use proptest::prelude::*;

fn h(s: &str) -> Hash {
    let v = hex::decode(s).unwrap();
    v.try_into().unwrap()
}

// Test vectors from github.com/transparency-dev/merkle proof/verify_test.go
// (the same data as the certificate-transparency C++ merkle_tree_test.cc).
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const EMPTY_ROOT: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// (leaf index, tree size, proof); the Go file numbers leaves from 1.
const INCLUSION: [(u64, u64, &[&str]); 5] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (0, 1, &[]),
];

/// (old size, new size, proof).
const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn vector_leaves() -> Vec<Hash> {
    LEAVES
        .iter()
        .map(|l| leaf_hash(&hex::decode(l).unwrap()))
        .collect()
}

fn hashes(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|s| h(s)).collect()
}

fn root_of(size: u64) -> Hash {
    h(ROOTS[size as usize - 1])
}

fn flip(mut x: Hash, byte: usize, bit: u8) -> Hash {
    x[byte % HASH_SIZE] ^= 1 << (bit % 8);
    x
}

// ---------- an independent, naive rendering of the RFC definitions ----------

fn naive_split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn naive_root(d: &[Hash]) -> Hash {
    match d.len() {
        0 => empty_root(),
        1 => d[0],
        n => {
            let k = naive_split(n);
            node_hash(&naive_root(&d[..k]), &naive_root(&d[k..]))
        }
    }
}

fn naive_path(m: usize, d: &[Hash]) -> Vec<Hash> {
    if d.len() <= 1 {
        return Vec::new();
    }
    let k = naive_split(d.len());
    let (mut p, sibling) = if m < k {
        (naive_path(m, &d[..k]), naive_root(&d[k..]))
    } else {
        (naive_path(m - k, &d[k..]), naive_root(&d[..k]))
    };
    p.push(sibling);
    p
}

fn naive_subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { Vec::new() } else { vec![naive_root(d)] };
    }
    let k = naive_split(n);
    let (mut p, other) = if m <= k {
        (naive_subproof(m, &d[..k], b), naive_root(&d[k..]))
    } else {
        (naive_subproof(m - k, &d[k..], false), naive_root(&d[..k]))
    };
    p.push(other);
    p
}

fn naive_consistency(m: usize, d: &[Hash]) -> Vec<Hash> {
    if m == 0 || m == d.len() {
        Vec::new()
    } else {
        naive_subproof(m, d, true)
    }
}

/// A node source laid out like storage would be: one vector per level,
/// holding only completed perfect subtrees.
struct Levels(Vec<Vec<Hash>>);

impl Levels {
    fn new(leaves: &[Hash]) -> Self {
        let mut levels = vec![leaves.to_vec()];
        while levels.last().unwrap().len() > 1 {
            let next = levels
                .last()
                .unwrap()
                .chunks_exact(2)
                .map(|p| node_hash(&p[0], &p[1]))
                .collect();
            levels.push(next);
        }
        Levels(levels)
    }
}

impl NodeSource for Levels {
    type Error = String;
    fn node(&self, level: u8, index: u64) -> Result<Hash, String> {
        self.0
            .get(level as usize)
            .and_then(|l| l.get(index as usize))
            .copied()
            .ok_or_else(|| format!("missing node {level}/{index}"))
    }
}

fn test_leaves(n: usize, seed: u64) -> Vec<Hash> {
    (0..n as u64)
        .map(|i| leaf_hash(&[seed.to_le_bytes(), i.to_le_bytes()].concat()))
        .collect()
}

// ---------- known-answer tests ----------

#[test]
fn empty_root_vector() {
    assert_eq!(empty_root(), h(EMPTY_ROOT));
    assert_eq!(root_from_leaf_hashes(&[]), h(EMPTY_ROOT));
    assert_eq!(CompactRange::new().root(), h(EMPTY_ROOT));
}

#[test]
fn root_vectors() {
    let leaves = vector_leaves();
    let mut range = CompactRange::new();
    for size in 1..=8u64 {
        let prefix = &leaves[..size as usize];
        assert_eq!(root_from_leaf_hashes(prefix), root_of(size), "size {size}");
        range.push(leaves[size as usize - 1]).unwrap();
        assert_eq!(range.root(), root_of(size), "compact range size {size}");
        assert_eq!(root_from_source(prefix, size).unwrap(), root_of(size));
    }
}

#[test]
fn go_tlog_record_hash_vector() {
    // golang.org/x/mod/sumdb/tlog note_test.go: RecordHash("hello world")
    // formats as "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=".
    use base64::{engine::general_purpose::STANDARD, Engine as _};
    let want = STANDARD
        .decode("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=")
        .unwrap();
    assert_eq!(leaf_hash(b"hello world").to_vec(), want);
}

#[test]
fn inclusion_vectors() {
    let leaves = vector_leaves();
    for (index, size, proof) in INCLUSION {
        let want = hashes(proof);
        let prefix = &leaves[..size as usize];
        assert_eq!(inclusion_proof(index, prefix).unwrap(), want, "{index}/{size}");
        let leaf = leaves[index as usize];
        verify_inclusion(&leaf, index, size, &want, &root_of(size)).unwrap();
        for (desc, probe) in corrupt_inclusion(index, size, &want, &root_of(size), &leaf) {
            assert!(probe.is_err(), "{index}/{size}: verified with {desc}");
        }
    }
}

/// Port of the corruptions in transparency-dev/merkle's verify_test.go.
fn corrupt_inclusion(
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
    leaf: &Hash,
) -> Vec<(String, Result<(), ProofError>)> {
    let some = h("abacaba000000000000000000000000000000000000000000060061e00123456");
    let v = |i: u64, s: u64, l: &Hash, p: &[Hash], r: &Hash| verify_inclusion(l, i, s, p, r);
    let mut out = vec![
        (
            "index - 1".into(),
            v(index.wrapping_sub(1), size, leaf, proof, root),
        ),
        ("index + 1".into(), v(index + 1, size, leaf, proof, root)),
        ("index ^ 2".into(), v(index ^ 2, size, leaf, proof, root)),
        ("size * 2".into(), v(index, size * 2, leaf, proof, root)),
        ("size / 2".into(), v(index, size / 2, leaf, proof, root)),
        (
            "wrong leaf".into(),
            v(index, size, &leaf_hash(b"WrongLeaf"), proof, root),
        ),
        ("empty root".into(), v(index, size, leaf, proof, &empty_root())),
        ("random root".into(), v(index, size, leaf, proof, &some)),
        (
            "trailing root".into(),
            v(index, size, leaf, &[proof, &[*root]].concat(), root),
        ),
        (
            "preceding root".into(),
            v(index, size, leaf, &[&[*root], proof].concat(), root),
        ),
    ];
    for i in 0..proof.len() {
        let mut p = proof.to_vec();
        p[i][0] ^= 8;
        out.push((format!("modified proof[{i}]"), v(index, size, leaf, &p, root)));
    }
    if !proof.is_empty() {
        out.push((
            "removed component".into(),
            v(index, size, leaf, &proof[..proof.len() - 1], root),
        ));
    }
    if proof.len() > 1 {
        let p = [&[proof[0], some], &proof[1..]].concat();
        out.push(("inserted component".into(), v(index, size, leaf, &p, root)));
    }
    out
}

#[test]
fn consistency_vectors() {
    let leaves = vector_leaves();
    for (old, new, proof) in CONSISTENCY {
        let want = hashes(proof);
        let got = consistency_proof(old, &leaves[..new as usize]).unwrap();
        assert_eq!(got, want, "{old}->{new}");
        let (r1, r2) = (root_of(old), root_of(new));
        verify_consistency(old, new, &r1, &r2, &want).unwrap();
        if want.is_empty() {
            continue;
        }
        let some = h("abacaba000000000000000000000000000000000000000000060061e00123456");
        let v = |o: u64, n: u64, a: &Hash, b: &Hash, p: &[Hash]| verify_consistency(o, n, a, b, p);
        let mut probes = vec![
            ("old - 1", v(old - 1, new, &r1, &r2, &want)),
            ("old + 1", v(old + 1, new, &r1, &r2, &want)),
            ("old ^ 2", v(old ^ 2, new, &r1, &r2, &want)),
            ("new * 2", v(old, new * 2, &r1, &r2, &want)),
            ("new / 2", v(old, new / 2, &r1, &r2, &want)),
            ("wrong old root", v(old, new, &some, &r2, &want)),
            ("wrong new root", v(old, new, &r1, &some, &want)),
            ("swapped roots", v(old, new, &r2, &r1, &want)),
            ("empty proof", v(old, new, &r1, &r2, &[])),
            ("trailing r1", v(old, new, &r1, &r2, &[&want[..], &[r1]].concat())),
            ("trailing r2", v(old, new, &r1, &r2, &[&want[..], &[r2]].concat())),
            (
                "preceding r1",
                v(old, new, &r1, &r2, &[&[r1], &want[..]].concat()),
            ),
            (
                "preceding r2",
                v(old, new, &r1, &r2, &[&[r2], &want[..]].concat()),
            ),
            (
                "preceding proof[0]",
                v(old, new, &r1, &r2, &[&[want[0]], &want[..]].concat()),
            ),
            ("truncated", v(old, new, &r1, &r2, &want[..want.len() - 1])),
        ];
        for i in 0..want.len() {
            let mut p = want.clone();
            p[i][0] ^= 16;
            probes.push(("modified proof", v(old, new, &r1, &r2, &p)));
        }
        for (desc, r) in probes {
            assert!(r.is_err(), "{old}->{new}: verified with {desc}");
        }
    }
}

#[test]
fn trivial_consistency_cases() {
    let e = empty_root();
    let r = h(ROOTS[0]);
    assert_eq!(verify_consistency(0, 0, &e, &e, &[]), Ok(()));
    assert_eq!(verify_consistency(0, 1, &e, &r, &[]), Ok(()));
    assert_eq!(verify_consistency(1, 1, &r, &r, &[]), Ok(()));
    assert!(verify_consistency(0, 0, &e, &r, &[]).is_err());
    assert!(verify_consistency(0, 1, &r, &r, &[]).is_err());
    assert!(verify_consistency(1, 1, &e, &r, &[]).is_err());
    assert_eq!(
        verify_consistency(1, 0, &r, &e, &[]),
        Err(ProofError::SizeRegression {
            old_size: 1,
            new_size: 0
        })
    );
    assert_eq!(verify_consistency(1, 2, &r, &r, &[]), Err(ProofError::EmptyProof));
    assert_eq!(
        verify_consistency(1, 1, &r, &r, &[e]),
        Err(ProofError::UnexpectedProof)
    );
    assert_eq!(
        verify_consistency(0, 1, &e, &r, &[e]),
        Err(ProofError::UnexpectedProof)
    );
}

#[test]
fn trivial_inclusion_cases() {
    let leaf = leaf_hash(b"data");
    assert_eq!(verify_inclusion(&leaf, 0, 1, &[], &leaf), Ok(()));
    assert!(verify_inclusion(&leaf, 0, 1, &[], &empty_root()).is_err());
    for (index, size) in [(0, 0), (1, 0), (2, 1), (1, 1)] {
        assert_eq!(
            verify_inclusion(&leaf, index, size, &[], &leaf),
            Err(ProofError::IndexOutOfRange { index, size })
        );
    }
}

#[test]
fn generation_rejects_bad_requests() {
    let leaves = vector_leaves();
    assert_eq!(
        inclusion_proof(8, &leaves),
        Err(MerkleError::IndexOutOfRange { index: 8, size: 8 })
    );
    assert_eq!(
        inclusion_proof(0, &[]),
        Err(MerkleError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert_eq!(
        consistency_proof(9, &leaves),
        Err(MerkleError::SizeRegression {
            old_size: 9,
            new_size: 8
        })
    );
    assert_eq!(consistency_proof(0, &leaves), Ok(vec![]));
    assert_eq!(consistency_proof(8, &leaves), Ok(vec![]));
    // A source that lacks nodes reports it rather than inventing hashes.
    let short = Levels::new(&leaves[..4]);
    assert!(matches!(
        inclusion_proof_from_source(&short, 0, 8),
        Err(ProveError::Source(_))
    ));
    assert_eq!(
        leaves[..].node(3, 1),
        Err(MerkleError::NodeOutOfRange { level: 3, index: 1 })
    );
    assert!(leaves[..].node(64, 0).is_err());
    assert!(leaves[..].node(63, 2).is_err());
}

#[test]
fn compact_range_matches_roots_for_every_size() {
    let leaves = test_leaves(300, 7);
    let mut range = CompactRange::new();
    for n in 0..=leaves.len() {
        assert_eq!(range.size(), n as u64);
        assert_eq!(range.hashes().len(), (n as u64).count_ones() as usize);
        assert_eq!(range.root(), root_from_leaf_hashes(&leaves[..n]), "size {n}");
        if n < leaves.len() {
            range.push(leaves[n]).unwrap();
        }
    }
}

#[test]
fn compact_range_bytes_validation() {
    assert_eq!(
        CompactRange::from_bytes(3, &[0u8; 32]),
        Err(MerkleError::CompactRangeLength {
            size: 3,
            expected: 64,
            got: 32
        })
    );
    assert_eq!(CompactRange::from_bytes(0, &[]), Ok(CompactRange::new()));
    let mut full = CompactRange::from_bytes(u64::MAX, &vec![0u8; 64 * 32]).unwrap();
    assert_eq!(full.push([0; 32]), Err(MerkleError::TreeFull));
}

// ---------- property tests ----------

fn tree() -> impl Strategy<Value = (Vec<Hash>, u64)> {
    (1usize..=300, any::<u64>()).prop_flat_map(|(n, seed)| (Just(test_leaves(n, seed)), 0..n as u64))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn inclusion_proofs_verify_and_match_naive((leaves, index) in tree()) {
        let size = leaves.len() as u64;
        let root = root_from_leaf_hashes(&leaves);
        let proof = inclusion_proof(index, &leaves).unwrap();
        prop_assert_eq!(&proof, &naive_path(index as usize, &leaves));
        let from_levels = inclusion_proof_from_source(&Levels::new(&leaves), index, size).unwrap();
        prop_assert_eq!(&proof, &from_levels);
        let leaf = leaves[index as usize];
        prop_assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));
    }

    #[test]
    fn tampered_inclusion_fails(
        (leaves, index) in tree(),
        byte in 0usize..32,
        bit in 0u8..8,
        which in any::<prop::sample::Index>(),
        other_index in any::<u64>(),
        other_size in 1u64..600,
    ) {
        let size = leaves.len() as u64;
        let root = root_from_leaf_hashes(&leaves);
        let proof = inclusion_proof(index, &leaves).unwrap();
        let leaf = leaves[index as usize];

        prop_assert!(verify_inclusion(&flip(leaf, byte, bit), index, size, &proof, &root).is_err());
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &flip(root, byte, bit)).is_err());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let i = which.index(bad.len());
            bad[i] = flip(bad[i], byte, bit);
            prop_assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
        }
        let other_index = other_index % (size + 1);
        if other_index != index {
            prop_assert!(verify_inclusion(&leaf, other_index, size, &proof, &root).is_err());
        }
        // A proof carries no size of its own: a changed size can only pass when
        // it implies the same proof shape. The signed checkpoint binds the size.
        if other_size != size
            && verify_inclusion(&leaf, index, other_size, &proof, &root).is_ok()
        {
            let dummy = vec![[0u8; 32]; other_size as usize];
            prop_assert_eq!(inclusion_proof(index, &dummy).unwrap().len(), proof.len());
        }
    }

    #[test]
    fn consistency_proofs_verify_and_match_naive((leaves, old) in tree()) {
        let new = leaves.len() as u64;
        let old = old + 1; // 1..=new
        let old_root = root_from_leaf_hashes(&leaves[..old as usize]);
        let new_root = root_from_leaf_hashes(&leaves);
        let proof = consistency_proof(old, &leaves).unwrap();
        prop_assert_eq!(&proof, &naive_consistency(old as usize, &leaves));
        let from_levels = consistency_proof_from_source(&Levels::new(&leaves), old, new).unwrap();
        prop_assert_eq!(&proof, &from_levels);
        prop_assert_eq!(verify_consistency(old, new, &old_root, &new_root, &proof), Ok(()));
        prop_assert_eq!(verify_consistency(0, new, &empty_root(), &new_root, &[]), Ok(()));
    }

    #[test]
    fn tampered_consistency_fails(
        (leaves, old) in tree(),
        byte in 0usize..32,
        bit in 0u8..8,
        which in any::<prop::sample::Index>(),
        other_old in 0u64..600,
        other_new in 0u64..600,
    ) {
        let new = leaves.len() as u64;
        let old = old + 1;
        let old_root = root_from_leaf_hashes(&leaves[..old as usize]);
        let new_root = root_from_leaf_hashes(&leaves);
        let proof = consistency_proof(old, &leaves).unwrap();

        let bad_old = flip(old_root, byte, bit);
        let bad_new = flip(new_root, byte, bit);
        prop_assert!(verify_consistency(old, new, &bad_old, &new_root, &proof).is_err());
        prop_assert!(verify_consistency(old, new, &old_root, &bad_new, &proof).is_err());
        if !proof.is_empty() {
            let mut bad = proof.clone();
            let i = which.index(bad.len());
            bad[i] = flip(bad[i], byte, bit);
            prop_assert!(verify_consistency(old, new, &old_root, &new_root, &bad).is_err());
        }
        // As for inclusion: changed sizes only pass with an identically shaped proof.
        for (o, n) in [(other_old, new), (old, other_new)] {
            if (o, n) != (old, new)
                && verify_consistency(o, n, &old_root, &new_root, &proof).is_ok()
            {
                let dummy = vec![[0u8; 32]; n as usize];
                prop_assert_eq!(consistency_proof(o, &dummy).unwrap().len(), proof.len());
            }
        }
    }

    #[test]
    fn compact_range_round_trips(leaves in (0usize..300, any::<u64>()).prop_map(|(n, s)| test_leaves(n, s))) {
        let mut range = CompactRange::new();
        for leaf in &leaves {
            range.push(*leaf).unwrap();
        }
        prop_assert_eq!(range.root(), root_from_leaf_hashes(&leaves));
        let restored = CompactRange::from_bytes(range.size(), &range.to_bytes()).unwrap();
        prop_assert_eq!(&restored, &range);
        prop_assert_eq!(restored.root(), range.root());
    }
}
