//! Streaming readers that turn input files into [`SourcedRecord`]s:
//! XES event logs (`.xes`, `.xes.gz`), CSV event logs, OCEL 2.0 JSON
//! object-centric logs, OCDS JSON / JSON Lines and mandate's own JSON Lines
//! records (optionally gzipped). Memory stays bounded: at most one XES trace, one OCDS array
//! element or one JSON line is held at a time.
//!
//! Errors: [`open`] fails only when the file cannot be opened or its format
//! cannot be recognised. Everything found while reading comes out of the
//! iterator: a bad record is an `Err(RejectedRecord)` and reading goes on; a
//! problem that makes the rest of the file unreadable (XML syntax error,
//! truncated gzip, invalid JSON document) is a last `Err(RejectedRecord)`
//! with `fatal: true`, after which the iterator ends.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod blocks;
mod csv_log;
mod error;
mod ocds;
mod ocel;
mod records;
mod sniff;
mod source;
mod utf8_repair;
mod xes;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use csv_log::CsvColumns;
pub use error::{IngestError, RejectedRecord};
use mandate_model::SourcedRecord;
pub use sniff::{sniff, Format};

/// What a [`RecordReader`] yields.
pub type Item = Result<SourcedRecord, RejectedRecord>;

/// Opens `path` for reading in `format`, or the sniffed format when `None`.
pub fn open(path: &Path, format: Option<Format>) -> Result<RecordReader, IngestError> {
    open_with(path, format, &CsvColumns::default())
}

/// [`open`], with the columns of a CSV event log named.
pub fn open_with(
    path: &Path,
    format: Option<Format>,
    columns: &CsvColumns,
) -> Result<RecordReader, IngestError> {
    let format = match format {
        Some(f) => f,
        None => sniff(path)?,
    };
    let progress = Arc::new(AtomicU64::new(0));
    let skipped = Arc::new(AtomicU64::new(0));
    let repaired = Arc::new(AtomicU64::new(0));
    let source = source::open_source(path, Arc::clone(&progress))?;
    let (inner, passes) = match format {
        Format::Xes => (Inner::Xes(Box::new(xes::XesReader::new(source.reader, path))), 1),
        Format::OcdsJsonLines => (
            Inner::JsonLines(ocds::JsonLinesReader::new(
                source.reader,
                path,
                Arc::clone(&skipped),
            )),
            1,
        ),
        Format::Records => (
            Inner::Records(records::RecordsReader::new(source.reader, path)),
            1,
        ),
        Format::OcelJson => (Inner::Ocel(ocel::read(source.reader, path)?), 1),
        Format::OcelXml => (Inner::Ocel(ocel::read_xml(source.reader, path)?), 1),
        Format::Csv => (
            Inner::Csv(Box::new(csv_log::CsvReader::new(source.reader, path, columns)?)),
            1,
        ),
        Format::OcdsJson => (
            Inner::Json(ocds::DocumentReader::spawn(
                source.reader,
                path,
                Arc::clone(&progress),
                Arc::clone(&skipped),
                Arc::clone(&repaired),
            )?),
            2,
        ),
    };
    Ok(RecordReader {
        inner,
        path: path.to_path_buf(),
        format,
        file_len: source.file_len,
        progress,
        passes,
        skipped,
        repaired,
    })
}

enum Inner {
    Xes(Box<xes::XesReader>),
    JsonLines(ocds::JsonLinesReader),
    Json(ocds::DocumentReader),
    Records(records::RecordsReader),
    Csv(Box<csv_log::CsvReader>),
    Ocel(std::vec::IntoIter<Item>),
}

/// An iterator over the records of one file.
pub struct RecordReader {
    inner: Inner,
    path: PathBuf,
    format: Format,
    file_len: u64,
    progress: Arc<AtomicU64>,
    passes: u64,
    skipped: Arc<AtomicU64>,
    repaired: Arc<AtomicU64>,
}

impl RecordReader {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Bytes of the file (compressed, for gzip) consumed so far, for a
    /// progress bar against [`Self::file_len`]. An OCDS JSON document is read
    /// twice, so this is half the bytes of both passes.
    pub fn bytes_read(&self) -> u64 {
        (self.progress.load(Ordering::Relaxed) / self.passes).min(self.file_len)
    }

    /// Size of the file on disk.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// OCDS linked releases (only a `url`) skipped so far.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// Byte sequences that were not UTF-8, replaced by U+FFFD so far (OCDS
    /// JSON documents, where one would otherwise end the file; in JSON
    /// Lines it rejects its line).
    pub fn repaired(&self) -> u64 {
        self.repaired.load(Ordering::Relaxed)
    }
}

impl Iterator for RecordReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        match &mut self.inner {
            Inner::Xes(r) => r.next(),
            Inner::JsonLines(r) => r.next(),
            Inner::Json(r) => r.next(),
            Inner::Records(r) => r.next(),
            Inner::Csv(r) => r.next(),
            Inner::Ocel(r) => r.next(),
        }
    }
}
