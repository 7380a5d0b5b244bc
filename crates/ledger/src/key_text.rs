//! The text form of signed-note keys, shared by log keys ([`crate::note`],
//! algorithm byte 0x01) and witness keys ([`crate::cosignature`], 0x04):
//! `<name>+<8 hex digits>+<base64(algorithm || 32 key bytes)>`, and the same
//! prefixed with `PRIVATE+KEY+` for a private key (the bytes being the seed).
//! Pure: callers check names and map failures to their own errors.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use sha2::{Digest, Sha256};

pub(crate) const PRIVATE_KEY_PREFIX: &str = "PRIVATE+KEY+";

/// Key ID: the first four bytes of SHA-256(name || "\n" || algorithm || public key).
pub(crate) fn key_id(name: &str, algorithm: u8, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([algorithm]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// `<name>+<id>+<base64(algorithm || key)>`.
pub(crate) fn encode(name: &str, id: u32, algorithm: u8, key: &[u8; 32]) -> String {
    let mut raw = Vec::with_capacity(1 + key.len());
    raw.push(algorithm);
    raw.extend_from_slice(key);
    format!("{name}+{id:08x}+{}", STANDARD.encode(raw))
}

/// A key text taken apart: nothing is checked but the shape.
pub(crate) struct KeyText<'a> {
    pub name: &'a str,
    /// `None` when not exactly eight hex digits.
    pub id: Option<u32>,
    /// The decoded `algorithm || key` bytes; `None` when not base64.
    pub raw: Option<Vec<u8>>,
}

impl<'a> KeyText<'a> {
    /// Splits `<name>+<id>+<base64>`; `None` without the two `+`.
    pub(crate) fn split(text: &'a str) -> Option<KeyText<'a>> {
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(key64)) = (parts.next(), parts.next(), parts.next()) else {
            return None;
        };
        Some(KeyText {
            name,
            id: parse_key_id(id),
            raw: STANDARD.decode(key64).ok(),
        })
    }
}

/// Why the bytes of a key text are not a key of the expected algorithm.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyBytesError {
    Malformed,
    /// Another algorithm byte.
    Algorithm(u8),
}

/// The 32 key bytes of `algorithm || key`.
pub(crate) fn key_bytes(raw: Option<&[u8]>, algorithm: u8) -> Result<&[u8; 32], KeyBytesError> {
    match raw.and_then(|r| r.split_first()) {
        Some((&alg, key)) if alg == algorithm => key.try_into().map_err(|_| KeyBytesError::Malformed),
        Some((&alg, _)) => Err(KeyBytesError::Algorithm(alg)),
        None => Err(KeyBytesError::Malformed),
    }
}

/// Exactly eight hex digits (no sign, unlike `from_str_radix`).
fn parse_key_id(s: &str) -> Option<u32> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_and_split_round_trip() {
        let key = [7u8; 32];
        let text = encode("example.com/log", 0x0123abcd, 0x01, &key);
        assert!(text.starts_with("example.com/log+0123abcd+AQcH"), "{text}");
        let split = KeyText::split(&text).unwrap();
        assert_eq!(split.name, "example.com/log");
        assert_eq!(split.id, Some(0x0123abcd));
        assert_eq!(key_bytes(split.raw.as_deref(), 0x01), Ok(&key));
        assert_eq!(
            key_bytes(split.raw.as_deref(), 0x04),
            Err(KeyBytesError::Algorithm(0x01))
        );
    }

    #[test]
    fn only_eight_hex_digits_are_a_key_id() {
        for bad in ["+1234567", "1234567", "123456789", "1234567g", ""] {
            assert_eq!(parse_key_id(bad), None, "{bad}");
        }
        assert_eq!(parse_key_id("DEADbeef"), Some(0xdeadbeef));
        assert!(KeyText::split("name+only").is_none());
        assert_eq!(key_bytes(Some(&[1, 2, 3]), 1), Err(KeyBytesError::Malformed));
        assert_eq!(key_bytes(None, 1), Err(KeyBytesError::Malformed));
    }
}
