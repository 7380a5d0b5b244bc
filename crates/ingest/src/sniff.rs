//! Input formats and detecting them from the first bytes of a file.

use std::fmt;
use std::io::{self, BufRead};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::error::IngestError;
use crate::source::{open_source, LineReader};

/// How far into an XML file to look for the `<log` element.
const XML_HEAD_LIMIT: usize = 64 * 1024;

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// IEEE 1849 XES event log (`.xes`, `.xes.gz`).
    Xes,
    /// One OCDS JSON document: release or record package, single release or record.
    OcdsJson,
    /// OCDS JSON Lines: one such document per line.
    OcdsJsonLines,
    /// mandate's own records, one per line, tagged by `kind` (acts, process events and cases).
    Records,
    /// An event log as CSV, one event per row (see [`crate::CsvColumns`]).
    Csv,
    /// An OCEL 2.0 object-centric event log, JSON format.
    OcelJson,
    /// An OCEL 2.0 object-centric event log, XML format.
    OcelXml,
}

impl Format {
    /// The name used by `FromStr`/`Display`: `xes`, `ocds-json`, `ocds-jsonl`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xes => "xes",
            Format::OcdsJson => "ocds-json",
            Format::OcdsJsonLines => "ocds-jsonl",
            Format::Records => "records-jsonl",
            Format::Csv => "csv",
            Format::OcelJson => "ocel-json",
            Format::OcelXml => "ocel-xml",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = IngestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xes" => Ok(Format::Xes),
            "ocds-json" => Ok(Format::OcdsJson),
            "ocds-jsonl" | "ocds-json-lines" => Ok(Format::OcdsJsonLines),
            "records-jsonl" | "records" => Ok(Format::Records),
            "csv" => Ok(Format::Csv),
            "ocel-json" | "ocel" | "jsonocel" => Ok(Format::OcelJson),
            "ocel-xml" | "xmlocel" => Ok(Format::OcelXml),
            _ => Err(IngestError::UnknownFormatName(s.to_owned())),
        }
    }
}

/// Detects the format of `path` (gzip is decompressed, a UTF-8 BOM skipped).
///
/// `<` starts XES (a `<log` element must appear in the first 64 KiB); `{`
/// starts mandate's own records when the first line is a complete object
/// whose first member is `"kind"` naming a record kind; otherwise OCDS JSON,
/// or JSON Lines when the first line is a complete JSON object and the next
/// non-empty line starts with `{`, or when the file is named `.jsonl` (so a
/// broken first line does not turn a whole file of good lines into one bad
/// document). `[` starts OCDS JSON.
pub fn sniff(path: &Path) -> Result<Format, IngestError> {
    let mut source = open_source(path, Arc::new(AtomicU64::new(0)))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let lines_by_name = [".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"]
        .iter()
        .any(|ext| name.ends_with(ext));
    sniff_reader(&mut source.reader, lines_by_name).map_err(|e| match e {
        SniffError::Io(cause) => IngestError::Read {
            path: path.to_path_buf(),
            cause,
        },
        SniffError::Unknown(reason) => IngestError::UnknownFormat {
            path: path.to_path_buf(),
            reason,
        },
    })
}

enum SniffError {
    Io(io::Error),
    Unknown(String),
}

impl From<io::Error> for SniffError {
    fn from(e: io::Error) -> Self {
        SniffError::Io(e)
    }
}

fn sniff_reader(reader: &mut LineReader, lines_by_name: bool) -> Result<Format, SniffError> {
    match skip_whitespace(reader)? {
        None => Err(SniffError::Unknown("the file is empty".into())),
        Some(b'<') => {
            let head = xml_head(reader)?;
            let has = |tag: &[u8]| head.windows(tag.len()).any(|w| w == tag);
            if has(b"<object-types") || has(b"<event-types") {
                Ok(Format::OcelXml)
            } else if has_log_element(&head) {
                Ok(Format::Xes)
            } else {
                Err(SniffError::Unknown(
                    "XML without a <log> element in its first 64 KiB (not XES)".into(),
                ))
            }
        }
        Some(b'{') if names_ocel_members(reader)? => Ok(Format::OcelJson),
        Some(b'{') => {
            let (complete, head) = first_line_is_complete_object(reader)?;
            if complete && names_record_kind(&head) {
                Ok(Format::Records)
            } else if lines_by_name || (complete && skip_whitespace(reader)? == Some(b'{')) {
                Ok(Format::OcdsJsonLines)
            } else {
                Ok(Format::OcdsJson)
            }
        }
        Some(b'[') => Ok(Format::OcdsJson),
        Some(_) if first_line_has_delimiters(reader)? => Ok(Format::Csv),
        Some(b) => Err(SniffError::Unknown(format!(
            "starts with {:?}, expected '<' (XES), '{{' or '[' (JSON) or a CSV header line",
            char::from(b)
        ))),
    }
}

/// Whether the first line (looked at, not consumed) separates names by
/// `,` `;` or tab, as a CSV event log's header does (two columns at least,
/// so that a header short of the case column is read as CSV and told so).
fn first_line_has_delimiters(reader: &mut LineReader) -> io::Result<bool> {
    let head = reader.fill_buf()?;
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    Ok([b',', b';', b'\t'].iter().any(|d| line.contains(d)))
}

/// Whether the start of the document (looked at, not consumed) names the
/// members of an OCEL 2.0 log.
fn names_ocel_members(reader: &mut LineReader) -> io::Result<bool> {
    let head = reader.fill_buf()?;
    let has = |member: &[u8]| head.windows(member.len()).any(|w| w == member);
    Ok(has(b"\"objectTypes\"") || has(b"\"eventTypes\""))
}

/// Consumes whitespace; returns the next byte without consuming it.
fn skip_whitespace(reader: &mut LineReader) -> io::Result<Option<u8>> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buf[i];
                reader.consume(i);
                return Ok(Some(b));
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// The first 64 KiB of an XML document.
fn xml_head(reader: &mut LineReader) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    while head.len() < XML_HEAD_LIMIT {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let n = buf.len().min(XML_HEAD_LIMIT - head.len());
        head.extend_from_slice(&buf[..n]);
        reader.consume(n);
    }
    Ok(head)
}

fn has_log_element(head: &[u8]) -> bool {
    head.windows(5)
        .any(|w| w.starts_with(b"<log") && (w[4].is_ascii_whitespace() || w[4] == b'>' || w[4] == b'/'))
}

/// Whether a line starts `{"kind":"<record kind>"` (whitespace allowed).
fn names_record_kind(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let rest = text.trim_start().strip_prefix('{').map(str::trim_start);
    let Some(rest) = rest.and_then(|r| r.strip_prefix("\"kind\"")) else {
        return false;
    };
    let value = rest
        .trim_start()
        .strip_prefix(':')
        .map(str::trim_start)
        .unwrap_or_default();
    crate::records::KINDS
        .iter()
        .any(|kind| value.starts_with(&format!("\"{kind}\"")))
}

/// Scans the current line (which starts with `{`) and tells whether it holds
/// one complete JSON object followed only by whitespace, with the line's
/// first bytes. Consumes the line.
fn first_line_is_complete_object(reader: &mut LineReader) -> io::Result<(bool, Vec<u8>)> {
    let mut head = Vec::new();
    let mut depth = 0u64;
    let mut in_string = false;
    let mut escaped = false;
    let mut closed = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            // A file cut short (a truncated .gz) is still read up to the cut,
            // which reports where it broke; the sniffer only needs the start.
            Err(_) if !head.is_empty() => return Ok((false, head)),
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok((closed, head));
        }
        let mut used = 0;
        for &b in buf {
            used += 1;
            if head.len() < 64 {
                head.push(b);
            }
            if b == b'\n' {
                reader.consume(used);
                return Ok((closed, head));
            }
            if closed {
                if !b.is_ascii_whitespace() {
                    reader.consume(used);
                    return Ok((false, head));
                }
            } else if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        closed = depth == 0;
                    }
                    _ => {}
                }
            }
        }
        reader.consume(used);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff_bytes(bytes: &[u8]) -> Result<Format, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input");
        std::fs::write(&path, bytes).unwrap();
        sniff(&path).map_err(|e| e.to_string())
    }

    #[test]
    fn a_jsonl_name_keeps_lines_after_a_broken_first_one() {
        let dir = tempfile::tempdir().unwrap();
        let broken = b"{\"ocid\":\"a\", \"tender\":{\n{\"ocid\":\"b\",\"id\":\"1\"}\n";
        for (name, expected) in [("x.jsonl", Format::OcdsJsonLines), ("x.json", Format::OcdsJson)] {
            let path = dir.path().join(name);
            std::fs::write(&path, broken).unwrap();
            assert_eq!(sniff(&path).unwrap(), expected, "{name}");
        }
        assert_eq!(sniff_bytes(b"[{\"ocid\": \"x\"}]"), Ok(Format::OcdsJson));
    }

    #[test]
    fn detects_formats() {
        assert_eq!(
            sniff_bytes(b"<?xml version='1.0'?>\n<log>\n</log>"),
            Ok(Format::Xes)
        );
        assert_eq!(
            sniff_bytes(b"\xef\xbb\xbf  <log xmlns=\"http://www.xes-standard.org/\"/>"),
            Ok(Format::Xes)
        );
        assert_eq!(sniff_bytes(b"{\n \"releases\": []\n}\n"), Ok(Format::OcdsJson));
        assert_eq!(
            sniff_bytes(b"{\"ocid\": \"x\", \"id\": \"1\"}\n"),
            Ok(Format::OcdsJson)
        );
        assert_eq!(
            sniff_bytes(b"{\"a\": \"}{\\\"\", \"b\": [{}]}\n\n  {\"a\": 2}\n"),
            Ok(Format::OcdsJsonLines)
        );
        assert_eq!(
            sniff_bytes(b"{\"kind\": \"act\", \"id\": \"a\"}\n"),
            Ok(Format::Records)
        );
        assert_eq!(
            sniff_bytes(b"{\"kind\":\"tender\"}\n{\"a\": 2}\n"),
            Ok(Format::OcdsJsonLines)
        );
        assert!(sniff_bytes(b"<html><body/></html>").is_err());
        assert!(sniff_bytes(b"   \n").is_err());
        assert!(sniff_bytes(b"hello\n").is_err());
        // Two columns are CSV already: the reader then names what is missing.
        assert_eq!(sniff_bytes(b"activity,timestamp\n"), Ok(Format::Csv));
        assert_eq!(
            sniff_bytes(b"case,activity,time\nc1,a,2024-01-01\n"),
            Ok(Format::Csv)
        );
        assert_eq!(sniff_bytes(b"case;activity;time\n"), Ok(Format::Csv));
    }

    #[test]
    fn format_names_round_trip() {
        for f in [
            Format::Xes,
            Format::OcdsJson,
            Format::OcdsJsonLines,
            Format::Records,
            Format::Csv,
            Format::OcelJson,
            Format::OcelXml,
        ] {
            assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
        }
        assert!("xlsx".parse::<Format>().is_err());
    }
}
