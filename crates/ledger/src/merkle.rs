//! Merkle tree maths of RFC 9162 §2.1: hashing, compact ranges, and
//! inclusion and consistency proofs.
//!
//! Everything here is pure computation over 32-byte SHA-256 hashes, so the
//! same code serves the log writer, the proof server and every verifier.

use sha2::{Digest, Sha256};
use thiserror::Error;

/// A SHA-256 digest: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// Size in bytes of a [`Hash`](type@Hash).
pub const HASH_SIZE: usize = 32;

/// Domain-separation prefixes so a leaf can never be confused with a node
/// (RFC 9162 §2.1.1).
const LEAF_PREFIX: u8 = 0x00;
const NODE_PREFIX: u8 = 0x01;

/// Errors from building proofs or restoring a compact range.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MerkleError {
    /// The leaf asked for is not in the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof was asked for from a larger tree to a smaller one.
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    SizeRegression { old_size: u64, new_size: u64 },
    /// A node source was asked for a subtree it does not hold.
    #[error("no subtree at level {level}, index {index}")]
    NodeOutOfRange { level: u8, index: u64 },
    /// Persisted compact-range bytes do not fit the claimed tree size.
    #[error("compact range for tree size {size} needs {expected} bytes, got {got}")]
    CompactRangeLength { size: u64, expected: usize, got: usize },
    /// The tree already holds `u64::MAX` leaves.
    #[error("tree is full")]
    TreeFull,
}

/// Why a proof did not verify. Any of these means "do not trust".
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// The old tree is larger than the new one.
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    SizeRegression { old_size: u64, new_size: u64 },
    /// The proof has more hashes than the tree shape allows.
    #[error("proof has too many hashes")]
    ProofTooLong,
    /// The proof has fewer hashes than the tree shape needs.
    #[error("proof has too few hashes")]
    ProofTooShort,
    /// A non-trivial consistency proof was empty.
    #[error("consistency proof is empty")]
    EmptyProof,
    /// A proof was given where none is possible (equal sizes or an empty old tree).
    #[error("expected an empty proof")]
    UnexpectedProof,
    /// The inclusion proof leads to a different root.
    #[error("computed root does not match the expected root")]
    RootMismatch,
    /// The consistency proof does not reproduce the old root.
    #[error("computed old root does not match the expected old root")]
    OldRootMismatch,
    /// The consistency proof does not reproduce the new root.
    #[error("computed new root does not match the expected new root")]
    NewRootMismatch,
}

/// Error from proof generation against a [`NodeSource`].
#[derive(Debug, Error)]
pub enum ProveError<E> {
    /// The request itself was invalid (index or sizes out of range).
    #[error(transparent)]
    Invalid(#[from] MerkleError),
    /// The node source could not supply a subtree hash.
    #[error("node source failed: {0}")]
    Source(E),
}

/// Hash of a leaf's data: SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(data);
    h.finalize().into()
}

/// Hash of an interior node: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Largest power of two strictly less than `n`; `n` must be at least 2.
fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// MTH of RFC 9162 §2.1.1, computed directly from the definition.
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [only] => *only,
        _ => {
            // usize -> u64 is lossless on every supported target.
            let k = split_point(leaves.len() as u64) as usize;
            let (left, right) = leaves.split_at(k);
            node_hash(&root_from_leaf_hashes(left), &root_from_leaf_hashes(right))
        }
    }
}

/// Folds perfect-subtree hashes (largest, leftmost first) into one root,
/// right to left, exactly as MTH splits a right-edge subtree.
fn fold_right(hashes: &[Hash]) -> Hash {
    hashes
        .iter()
        .rev()
        .copied()
        .reduce(|right, left| node_hash(&left, &right))
        .unwrap_or_else(empty_root)
}

/// The right edge of a tree: one perfect-subtree hash per set bit of the size,
/// largest first. Enough to append leaves and compute the root without
/// holding the leaves themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactRange {
    size: u64,
    hashes: Vec<Hash>,
}

impl CompactRange {
    /// The range of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves covered.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect-subtree hashes, largest (leftmost) first.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Appends one leaf hash, merging the equal-sized subtrees it completes.
    pub fn push(&mut self, leaf: Hash) -> Result<(), MerkleError> {
        let new_size = self.size.checked_add(1).ok_or(MerkleError::TreeFull)?;
        // Each trailing one bit of the old size is a subtree the new leaf completes.
        let merges = self.size.trailing_ones() as usize;
        let keep = self.hashes.len().saturating_sub(merges);
        let merged = self
            .hashes
            .drain(keep..)
            .rev()
            .fold(leaf, |right, left| node_hash(&left, &right));
        self.hashes.push(merged);
        self.size = new_size;
        Ok(())
    }

    /// Root hash of the tree covered by this range.
    pub fn root(&self) -> Hash {
        fold_right(&self.hashes)
    }

    /// Concatenated hashes, for persistence next to the size.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.hashes.concat()
    }

    /// Restores a range saved with [`CompactRange::to_bytes`].
    pub fn from_bytes(size: u64, bytes: &[u8]) -> Result<Self, MerkleError> {
        let count = size.count_ones() as usize;
        let expected = count * HASH_SIZE;
        if bytes.len() != expected {
            return Err(MerkleError::CompactRangeLength {
                size,
                expected,
                got: bytes.len(),
            });
        }
        let hashes = bytes
            .chunks_exact(HASH_SIZE)
            .map(|chunk| {
                let mut h = [0u8; HASH_SIZE];
                h.copy_from_slice(chunk);
                h
            })
            .collect();
        Ok(Self { size, hashes })
    }
}

/// Supplier of perfect-subtree hashes, so proofs can be built from storage
/// without loading every leaf.
///
/// `node(level, index)` is the root of leaves `[index << level, (index + 1) << level)`;
/// level 0 is the leaf hashes themselves. Perfect subtrees never change once
/// complete, which makes them safe to store and cache.
pub trait NodeSource {
    /// Error of the underlying storage.
    type Error;

    /// Hash of the perfect subtree at `level` and `index`.
    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error>;
}

/// Leaf hashes in memory act as a node source by hashing on demand.
impl NodeSource for [Hash] {
    type Error = MerkleError;

    fn node(&self, level: u8, index: u64) -> Result<Hash, MerkleError> {
        let out_of_range = MerkleError::NodeOutOfRange { level, index };
        if level >= 64 {
            return Err(out_of_range);
        }
        let start = index << level;
        if start >> level != index {
            return Err(out_of_range);
        }
        let end = start.checked_add(1u64 << level).ok_or(out_of_range.clone())?;
        let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
            return Err(out_of_range);
        };
        self.get(start..end)
            .map(root_from_leaf_hashes)
            .ok_or(out_of_range)
    }
}

/// MTH of leaves `[start, end)` where the range is a subtree of the RFC
/// recursion: a perfect subtree, or a right edge made of perfect subtrees.
fn range_hash<S: NodeSource + ?Sized>(src: &S, start: u64, end: u64) -> Result<Hash, S::Error> {
    let len = end - start;
    let mut parts = Vec::with_capacity(len.count_ones() as usize);
    let mut pos = start;
    for level in (0..64u8).rev() {
        let width = 1u64 << level;
        if len & width != 0 {
            parts.push(src.node(level, pos >> level)?);
            pos += width;
        }
    }
    Ok(fold_right(&parts))
}

/// Root of the first `size` leaves of a node source.
pub fn root_from_source<S: NodeSource + ?Sized>(src: &S, size: u64) -> Result<Hash, S::Error> {
    range_hash(src, 0, size)
}

/// Inclusion proof `PATH(index, D[size])` of RFC 9162 §2.1.3.1, leaf-side first.
pub fn inclusion_proof_from_source<S: NodeSource + ?Sized>(
    src: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProveError<S::Error>> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size }.into());
    }
    let (mut lo, mut hi) = (0u64, size);
    let mut siblings = Vec::new();
    while hi - lo > 1 {
        let mid = lo + split_point(hi - lo);
        if index < mid {
            siblings.push(range_hash(src, mid, hi).map_err(ProveError::Source)?);
            hi = mid;
        } else {
            siblings.push(range_hash(src, lo, mid).map_err(ProveError::Source)?);
            lo = mid;
        }
    }
    // Collected root-side first; the proof lists the leaf's sibling first.
    siblings.reverse();
    Ok(siblings)
}

/// Consistency proof `PROOF(old_size, D[new_size])` of RFC 9162 §2.1.4.1.
/// Empty when `old_size` is 0 or equal to `new_size`.
pub fn consistency_proof_from_source<S: NodeSource + ?Sized>(
    src: &S,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, ProveError<S::Error>> {
    if old_size > new_size {
        return Err(MerkleError::SizeRegression { old_size, new_size }.into());
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    // Iterative SUBPROOF(m, D[lo:hi], b); hashes appended after the recursive
    // call are collected in `tail` and emitted in reverse.
    let (mut lo, mut hi, mut m, mut whole_old_tree) = (0u64, new_size, old_size, true);
    let mut tail = Vec::new();
    let head = loop {
        let n = hi - lo;
        if m == n {
            break if whole_old_tree {
                None
            } else {
                Some(range_hash(src, lo, hi).map_err(ProveError::Source)?)
            };
        }
        let k = split_point(n);
        if m <= k {
            tail.push(range_hash(src, lo + k, hi).map_err(ProveError::Source)?);
            hi = lo + k;
        } else {
            tail.push(range_hash(src, lo, lo + k).map_err(ProveError::Source)?);
            lo += k;
            m -= k;
            whole_old_tree = false;
        }
    };
    Ok(head.into_iter().chain(tail.into_iter().rev()).collect())
}

/// Flattens errors of the in-memory source, which are all request errors.
fn flatten(err: ProveError<MerkleError>) -> MerkleError {
    match err {
        ProveError::Invalid(e) | ProveError::Source(e) => e,
    }
}

/// Inclusion proof for leaf `index` in the tree made of all `leaves`.
pub fn inclusion_proof(index: u64, leaves: &[Hash]) -> Result<Vec<Hash>, MerkleError> {
    inclusion_proof_from_source(leaves, index, leaves.len() as u64).map_err(flatten)
}

/// Consistency proof from the first `old_size` leaves to all `leaves`.
pub fn consistency_proof(old_size: u64, leaves: &[Hash]) -> Result<Vec<Hash>, MerkleError> {
    consistency_proof_from_source(leaves, old_size, leaves.len() as u64).map_err(flatten)
}

/// Root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1-4), for
/// callers that compare against several candidate roots.
pub fn root_from_inclusion_proof(
    leaf_hash: &Hash,
    index: u64,
    tree_size: u64,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= tree_size {
        return Err(ProofError::IndexOutOfRange {
            index,
            size: tree_size,
        });
    }
    let (mut fnode, mut snode) = (index, tree_size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::ProofTooLong);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::ProofTooShort);
    }
    Ok(r)
}

/// Verifies an inclusion proof exactly per RFC 9162 §2.1.3.2.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    tree_size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof(leaf_hash, index, tree_size, proof)?;
    if &computed != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies a consistency proof exactly per RFC 9162 §2.1.4.2.
///
/// Trivial cases (equal sizes, or an empty old tree) need an empty proof;
/// an empty old tree must have the empty root and is consistent with any tree.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::SizeRegression { old_size, new_size });
    }
    if old_size == new_size || old_size == 0 {
        if !proof.is_empty() {
            return Err(ProofError::UnexpectedProof);
        }
        if old_size == 0 && old_root != &empty_root() {
            return Err(ProofError::OldRootMismatch);
        }
        if old_size == new_size && old_root != new_root {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }

    // Step 1.
    let Some((first, rest)) = proof.split_first() else {
        return Err(ProofError::EmptyProof);
    };
    // Steps 2 and 5: a power-of-two old tree is itself a node of the new
    // tree, so its root is the (implicit) first path element.
    let (seed, path) = if old_size.is_power_of_two() {
        (*old_root, proof)
    } else {
        (*first, rest)
    };
    // Steps 3 and 4.
    let (mut fnode, mut snode) = (old_size - 1, new_size - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (seed, seed);
    // Step 6.
    for c in path {
        if snode == 0 {
            return Err(ProofError::ProofTooLong);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    // Step 7.
    if snode != 0 {
        return Err(ProofError::ProofTooShort);
    }
    if &fr != old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if &sr != new_root {
        return Err(ProofError::NewRootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
