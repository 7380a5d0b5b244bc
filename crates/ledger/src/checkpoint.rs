//! C2SP transparency-log checkpoints (<https://c2sp.org/tlog-checkpoint>):
//! the signed statement "this log had this many entries with this root".

use base64::{engine::general_purpose::STANDARD, Engine as _};
use thiserror::Error;

use crate::merkle::{Hash, HASH_SIZE};
use crate::note::{open_note, sign_note, NoteError, Signer, Verifier};

/// Errors from formatting, parsing, signing or opening checkpoints.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CheckpointError {
    /// Checkpoint text must end in a newline.
    #[error("checkpoint text must end in a newline")]
    MissingNewline,
    /// Origin, size and root hash lines are all required.
    #[error("checkpoint needs origin, size and root hash lines")]
    TooFewLines,
    /// The origin must be a non-empty line without control characters.
    #[error("invalid origin line")]
    InvalidOrigin,
    /// The size must be decimal without leading zeros.
    #[error("invalid tree size line")]
    InvalidSize,
    /// The root hash must be standard base64 of exactly 32 bytes.
    #[error("invalid root hash line")]
    InvalidRootHash,
    /// Extension lines must be non-empty and free of control characters.
    #[error("invalid extension line")]
    InvalidExtension,
    /// The signed-note layer failed.
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// A log's tree head: origin, tree size and root hash, plus opaque
/// extension lines (kept only so foreign checkpoints round-trip).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Unique identity of the log, e.g. `example.com/log42`.
    pub origin: String,
    /// Number of leaves in the tree.
    pub size: u64,
    /// RFC 9162 root hash of the tree at `size`.
    pub root: Hash,
    /// Optional extension lines, without their newlines.
    pub extensions: Vec<String>,
}

/// A line is a single non-empty run of text with no control characters.
fn is_valid_line(line: &str) -> bool {
    !line.is_empty() && !line.chars().any(char::is_control)
}

fn parse_size(line: &str) -> Result<u64, CheckpointError> {
    let canonical = !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
        && (line == "0" || !line.starts_with('0'));
    if !canonical {
        return Err(CheckpointError::InvalidSize);
    }
    line.parse().map_err(|_| CheckpointError::InvalidSize)
}

fn parse_root(line: &str) -> Result<Hash, CheckpointError> {
    let raw = STANDARD
        .decode(line)
        .map_err(|_| CheckpointError::InvalidRootHash)?;
    <[u8; HASH_SIZE]>::try_from(raw).map_err(|_| CheckpointError::InvalidRootHash)
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Self {
        Self {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// Formats the note body; fails rather than emit text that would not
    /// parse back to the same checkpoint.
    pub fn to_text(&self) -> Result<String, CheckpointError> {
        if !is_valid_line(&self.origin) {
            return Err(CheckpointError::InvalidOrigin);
        }
        if !self.extensions.iter().all(|e| is_valid_line(e)) {
            return Err(CheckpointError::InvalidExtension);
        }
        let mut text = format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root));
        for ext in &self.extensions {
            text.push_str(ext);
            text.push('\n');
        }
        Ok(text)
    }

    /// Strictly parses a note body (the text of an opened note).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::MissingNewline)?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next()) else {
            return Err(CheckpointError::TooFewLines);
        };
        if !is_valid_line(origin) {
            return Err(CheckpointError::InvalidOrigin);
        }
        let size = parse_size(size)?;
        let root = parse_root(root)?;
        let extensions = lines
            .map(|l| {
                if is_valid_line(l) {
                    Ok(l.to_owned())
                } else {
                    Err(CheckpointError::InvalidExtension)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }
}

/// Signs a checkpoint, returning the signed note.
pub fn sign_checkpoint(checkpoint: &Checkpoint, signer: &Signer) -> Result<String, CheckpointError> {
    Ok(sign_note(&checkpoint.to_text()?, &[signer])?)
}

/// Verifies a signed checkpoint against the log's key and parses it.
///
/// Other signatures (e.g. witness cosignatures) are ignored here; callers
/// that need them use [`open_note`]. The origin is not compared with the
/// key name, since the spec only recommends they match.
pub fn open_checkpoint(note: &str, verifier: &Verifier) -> Result<Checkpoint, CheckpointError> {
    let opened = open_note(note, std::slice::from_ref(verifier))?;
    Checkpoint::parse(&opened.text)
}

#[cfg(test)]
mod tests;
