//! Commitments for confidential records. The log holds only
//! `SHA-256("mandate/commitment/v1" || 0x00 || salt || content)`: with a
//! random 32-byte salt it reveals nothing of the content (hiding), and the
//! content cannot later be swapped for another (binding). Disclosing the salt
//! and the content lets anyone check them against the logged commitment.

use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// Domain separation: a commitment can never be confused with another hash.
const DOMAIN: &[u8] = b"mandate/commitment/v1\0";

pub type Salt = [u8; 32];

/// A fresh random salt from the operating system.
pub fn new_salt() -> Result<Salt, getrandom::Error> {
    let mut salt = [0u8; 32];
    getrandom::getrandom(&mut salt)?;
    Ok(salt)
}

/// The commitment to `content` under `salt`.
pub fn commit(salt: &Salt, content: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    hasher.update(salt);
    hasher.update(content);
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_hand_built_preimage() {
        // Independent computation: hash the concatenated bytes in one go.
        let salt = [1u8; 32];
        let mut preimage = b"mandate/commitment/v1\0".to_vec();
        preimage.extend_from_slice(&salt);
        preimage.extend_from_slice(b"{\"a\":1}");
        let expected: Hash = Sha256::digest(&preimage).into();
        assert_eq!(commit(&salt, b"{\"a\":1}"), expected);
    }

    #[test]
    fn salt_and_content_both_bind() {
        let a = commit(&[1; 32], b"x");
        assert_ne!(a, commit(&[2; 32], b"x"));
        assert_ne!(a, commit(&[1; 32], b"y"));
        assert_ne!(new_salt().unwrap(), new_salt().unwrap());
    }
}
