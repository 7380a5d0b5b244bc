//! Errors: fatal ones ([`IngestError`]) and per-record ones ([`RejectedRecord`]).

use std::fmt;
use std::path::{Path, PathBuf};

use mandate_model::record::Position;

/// A problem that stops reading a whole file. The I/O error is part of the
/// message (`cause`), not a `source`, so that a chain printed with `{:#}`
/// does not say it twice.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or its first bytes read.
    #[error("{}: cannot open: {cause}", path.display())]
    Open { path: PathBuf, cause: std::io::Error },
    /// Reading failed part-way (I/O error, truncated gzip stream).
    #[error("{}: cannot read: {cause}", path.display())]
    Read { path: PathBuf, cause: std::io::Error },
    /// The file is not in a format this crate reads.
    #[error("{}: unrecognised format: {reason}", path.display())]
    UnknownFormat { path: PathBuf, reason: String },
    /// A `--format` name that is none of the formats.
    #[error("unknown format {0:?} (expected xes, ocds-json, ocds-jsonl, records-jsonl, csv, ocel-json or ocel-xml)")]
    UnknownFormatName(String),
    /// The background parser thread for an OCDS JSON document could not start.
    #[error("{}: cannot start reader thread: {cause}", path.display())]
    Thread { path: PathBuf, cause: std::io::Error },
}

/// A record that could not be imported, or (when `fatal`) the point where the
/// rest of the file became unreadable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRecord {
    pub file: PathBuf,
    pub position: Position,
    /// The offending field (XES attribute key, OCDS member), when one is to blame.
    pub field: Option<String>,
    pub reason: String,
    /// True for the last item of a reader that had to give up on the file.
    pub fatal: bool,
}

impl RejectedRecord {
    pub(crate) fn new(
        file: &Path,
        position: Position,
        field: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        RejectedRecord {
            file: file.to_path_buf(),
            position,
            field: field.map(str::to_owned),
            reason: reason.into(),
            fatal: false,
        }
    }

    /// A fatal problem: `detail` is prefixed with "the rest of the file could not be read".
    pub(crate) fn fatal(file: &Path, position: Position, detail: impl fmt::Display) -> Self {
        RejectedRecord {
            file: file.to_path_buf(),
            position,
            field: None,
            reason: format!("the rest of the file could not be read: {detail}"),
            fatal: true,
        }
    }
}

impl fmt::Display for RejectedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.file.display(), self.position)?;
        if let Some(field) = &self.field {
            write!(f, "field {field}: ")?;
        }
        f.write_str(&self.reason)
    }
}

impl std::error::Error for RejectedRecord {}
