//! Entry bundles: a tile's entries, each as a big-endian 2-byte length and
//! the entry's bytes.

use super::{Bundle, TileError, TILE_WIDTH};

/// Largest entry a bundle can hold: the length prefix is 2 bytes. The log
/// itself accepts larger records; exporting them as tiles fails, naming them.
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;

/// Encodes the entries of `bundle`, which must be exactly `bundle.width()` of them.
pub fn encode_bundle<E: AsRef<[u8]>>(bundle: &Bundle, entries: &[E]) -> Result<Vec<u8>, TileError> {
    if entries.len() != usize::from(bundle.width()) {
        return Err(TileError::BundleCount {
            bundle: bundle.path(),
            expected: bundle.width().into(),
            got: entries.len(),
        });
    }
    let total = entries.iter().map(|e| e.as_ref().len() + 2).sum();
    let mut out = Vec::with_capacity(total);
    for (index, entry) in bundle.entries().zip(entries) {
        let entry = entry.as_ref();
        let len = u16::try_from(entry.len()).map_err(|_| TileError::EntryTooLarge {
            index,
            len: entry.len(),
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Splits bundle bytes into entries; fails on truncation or more than 256 entries.
pub fn decode_bundle(bytes: &[u8]) -> Result<Vec<&[u8]>, TileError> {
    let mut entries = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        if entries.len() == usize::from(TILE_WIDTH) {
            return Err(TileError::BundleTooLong);
        }
        let truncated = TileError::BundleTruncated { offset };
        let prefix: [u8; 2] = bytes
            .get(offset..offset + 2)
            .and_then(|p| p.try_into().ok())
            .ok_or(truncated.clone())?;
        let len = usize::from(u16::from_be_bytes(prefix));
        let start = offset + 2;
        entries.push(bytes.get(start..start + len).ok_or(truncated)?);
        offset = start + len;
    }
    Ok(entries)
}
