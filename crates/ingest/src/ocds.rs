//! OCDS (1.0/1.1) readers: one JSON document, or JSON Lines.
//!
//! A document is a release package (`releases`), a record package
//! (`records`), a single record (`compiledRelease`/`versionedRelease`, or
//! `ocid` with `releases`) or a single release (`ocid`, `id`). A record yields
//! its `compiledRelease` if it has one, else its embedded releases; linked
//! releases (only `url`, `date`, `tag`) are skipped and counted.
//!
//! A JSON document is streamed on a background thread in two passes: the
//! first only notes the top-level keys (to tell a package from a record
//! whatever the key order), the second deserializes one array element at a
//! time. Items are handed over through a bounded channel.

use std::collections::VecDeque;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use mandate_model::record::Position;
use mandate_model::{OcdsRelease, Record, SourcedRecord};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{IngestError, RejectedRecord};
use crate::source::{open_source, LineReader};
use crate::utf8_repair::Utf8Repair;
use crate::Item;

const CHANNEL_CAPACITY: usize = 1024;

/// Where we are: which file, which line (JSON Lines only), and the skip counter.
struct Ctx<'a> {
    file: &'a Path,
    line: Option<u64>,
    skipped: &'a AtomicU64,
}

impl Ctx<'_> {
    fn position(&self, locator: String) -> Position {
        Position {
            line: self.line,
            locator,
        }
    }

    fn reject(&self, locator: String, field: Option<&str>, reason: impl Into<String>) -> Item {
        Err(RejectedRecord::new(
            self.file,
            self.position(locator),
            field,
            reason,
        ))
    }
}

type Emit<'e> = dyn FnMut(Item) -> bool + 'e;

fn join(prefix: &str, part: &str) -> String {
    if prefix.is_empty() {
        part.to_owned()
    } else {
        format!("{prefix}.{part}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Validates one release; `record_ocid` is the fallback ocid of a compiled release.
fn release_item(
    ctx: &Ctx<'_>,
    release: Value,
    locator: String,
    compiled: bool,
    record_ocid: Option<&str>,
) -> Item {
    let Value::Object(obj) = &release else {
        let reason = format!("expected a release object, found {}", type_name(&release));
        return ctx.reject(locator, None, reason);
    };
    let ocid = match (obj.get("ocid"), record_ocid) {
        (Some(Value::String(s)), _) if !s.is_empty() => s.clone(),
        (None, Some(fallback)) if compiled => fallback.to_owned(),
        (None, _) => return ctx.reject(locator, Some("ocid"), "missing ocid"),
        (Some(Value::String(_)), _) => return ctx.reject(locator, Some("ocid"), "empty ocid"),
        (Some(v), _) => {
            let reason = format!("ocid is {}, expected a non-empty string", type_name(v));
            return ctx.reject(locator, Some("ocid"), reason);
        }
    };
    if let Some(record_ocid) = record_ocid.filter(|r| *r != ocid) {
        let reason = format!("`{ocid}` differs from the record's ocid `{record_ocid}`");
        return ctx.reject(locator, Some("ocid"), reason);
    }
    let release_id = match obj.get("id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ if compiled => ocid.clone(),
        None => return ctx.reject(locator, Some("id"), "missing release id"),
        Some(Value::String(_)) => return ctx.reject(locator, Some("id"), "empty release id"),
        Some(v) => {
            let reason = format!("id is {}, expected a non-empty string or a number", type_name(v));
            return ctx.reject(locator, Some("id"), reason);
        }
    };
    let date = obj.get("date").and_then(Value::as_str).map(str::to_owned);
    Ok(SourcedRecord {
        record: Record::OcdsRelease(OcdsRelease {
            ocid,
            release_id,
            date,
            compiled,
            release,
        }),
        position: ctx.position(locator),
    })
}

/// A linked release: only a URL (plus date and tag) pointing elsewhere.
fn is_linked(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.contains_key("url") && o.keys().all(|k| matches!(k.as_str(), "url" | "date" | "tag"))
    })
}

/// A release embedded in a record: linked ones are counted and skipped.
fn embedded_release(ctx: &Ctx<'_>, release: Value, locator: String, emit: &mut Emit<'_>) -> bool {
    if is_linked(&release) {
        ctx.skipped.fetch_add(1, Ordering::Relaxed);
        return true;
    }
    emit(release_item(ctx, release, locator, false, None))
}

/// Emits what an OCDS record yields. Returns false once `emit` wants no more.
fn record_items(ctx: &Ctx<'_>, record: Value, prefix: &str, emit: &mut Emit<'_>) -> bool {
    let locator = if prefix.is_empty() { "record" } else { prefix };
    let Value::Object(mut obj) = record else {
        let reason = format!("expected a record object, found {}", type_name(&record));
        return emit(ctx.reject(locator.to_owned(), None, reason));
    };
    let record_ocid = obj.get("ocid").and_then(Value::as_str).map(str::to_owned);
    match (obj.remove("compiledRelease"), obj.remove("releases")) {
        (Some(c @ Value::Object(_)), _) => emit(release_item(
            ctx,
            c,
            join(prefix, "compiledRelease"),
            true,
            record_ocid.as_deref(),
        )),
        (Some(c), _) => {
            let reason = format!("compiledRelease is {}, expected an object", type_name(&c));
            emit(ctx.reject(join(prefix, "compiledRelease"), Some("compiledRelease"), reason))
        }
        (None, Some(Value::Array(releases))) => releases
            .into_iter()
            .enumerate()
            .all(|(i, r)| embedded_release(ctx, r, join(prefix, &format!("releases[{i}]")), emit)),
        (None, Some(r)) => {
            let reason = format!("releases is {}, expected an array", type_name(&r));
            emit(ctx.reject(join(prefix, "releases"), Some("releases"), reason))
        }
        (None, None) => emit(ctx.reject(
            locator.to_owned(),
            None,
            "record has neither compiledRelease nor releases",
        )),
    }
}

/// What a JSON document is, judged by its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocKind {
    ReleasePackage,
    RecordPackage,
    Record { compiled: bool },
    Release,
    Unknown,
}

#[derive(Debug, Default)]
struct TopKeys {
    releases: bool,
    records: bool,
    ocid: bool,
    id: bool,
    compiled: bool,
    versioned: bool,
}

impl TopKeys {
    fn note(&mut self, key: &str) {
        match key {
            "releases" => self.releases = true,
            "records" => self.records = true,
            "ocid" => self.ocid = true,
            "id" => self.id = true,
            "compiledRelease" => self.compiled = true,
            "versionedRelease" => self.versioned = true,
            _ => {}
        }
    }

    /// A record package that also lists releases: only the records are read,
    /// and the reader is told. False once `emit` wants no more.
    fn report_dropped_releases(&self, ctx: &Ctx<'_>, emit: &mut Emit<'_>) -> bool {
        !(self.records && self.releases)
            || emit(ctx.reject("document".into(), Some("releases"), RELEASES_BESIDE_RECORDS))
    }

    fn kind(&self) -> DocKind {
        if self.records {
            DocKind::RecordPackage
        } else if self.compiled || self.versioned || (self.ocid && self.releases) {
            DocKind::Record {
                compiled: self.compiled,
            }
        } else if self.releases {
            DocKind::ReleasePackage
        } else if self.ocid || self.id {
            DocKind::Release
        } else {
            DocKind::Unknown
        }
    }
}

const RELEASES_BESIDE_RECORDS: &str =
    "a package with both `records` and `releases`: the records are read, the releases are not";

const UNKNOWN_DOCUMENT: &str =
    "not an OCDS release, record or package (no ocid, releases, records or compiledRelease)";

/// Emits what a whole, already parsed document yields (JSON Lines).
fn document_items(ctx: &Ctx<'_>, doc: Value, emit: &mut Emit<'_>) -> bool {
    let Value::Object(mut obj) = doc else {
        let reason = format!("expected a JSON object, found {}", type_name(&doc));
        return emit(ctx.reject("document".into(), None, reason));
    };
    let mut keys = TopKeys::default();
    obj.keys().for_each(|k| keys.note(k));
    if !keys.report_dropped_releases(ctx, emit) {
        return false;
    }
    let (array_key, each_is_record) = match keys.kind() {
        DocKind::ReleasePackage => ("releases", false),
        DocKind::RecordPackage => ("records", true),
        DocKind::Record { .. } => return record_items(ctx, Value::Object(obj), "", emit),
        DocKind::Release => {
            return emit(release_item(
                ctx,
                Value::Object(obj),
                "release".into(),
                false,
                None,
            ))
        }
        DocKind::Unknown => return emit(ctx.reject("document".into(), None, UNKNOWN_DOCUMENT)),
    };
    match obj.remove(array_key) {
        Some(Value::Array(items)) => items.into_iter().enumerate().all(|(i, v)| {
            let locator = format!("{array_key}[{i}]");
            if each_is_record {
                record_items(ctx, v, &locator, emit)
            } else {
                emit(release_item(ctx, v, locator, false, None))
            }
        }),
        Some(Value::Null) | None => true,
        Some(v) => {
            let reason = format!("{array_key} is {}, expected an array", type_name(&v));
            emit(ctx.reject(array_key.into(), Some(array_key), reason))
        }
    }
}

/// Reads OCDS JSON Lines: one document per non-blank line.
pub(crate) struct JsonLinesReader {
    reader: LineReader,
    file: PathBuf,
    line: u64,
    buf: Vec<u8>,
    queue: VecDeque<Item>,
    done: bool,
    skipped: Arc<AtomicU64>,
}

impl JsonLinesReader {
    pub(crate) fn new(reader: LineReader, file: &Path, skipped: Arc<AtomicU64>) -> Self {
        JsonLinesReader {
            reader,
            file: file.to_path_buf(),
            line: 0,
            buf: Vec::new(),
            queue: VecDeque::new(),
            done: false,
            skipped,
        }
    }

    fn read_line(&mut self) {
        self.buf.clear();
        match self.reader.read_until(b'\n', &mut self.buf) {
            Ok(0) => self.done = true,
            Ok(_) => {
                self.line += 1;
                if self.buf.iter().all(u8::is_ascii_whitespace) {
                    return;
                }
                let ctx = Ctx {
                    file: &self.file,
                    line: Some(self.line),
                    skipped: &self.skipped,
                };
                let queue = &mut self.queue;
                match serde_json::from_slice::<Value>(self.buf.trim_ascii_end()) {
                    Ok(doc) => {
                        document_items(&ctx, doc, &mut |item| {
                            queue.push_back(item);
                            true
                        });
                    }
                    Err(e) => {
                        let reason = format!("invalid JSON at column {}: {}", e.column(), message(&e));
                        queue.push_back(ctx.reject("document".into(), None, reason));
                    }
                }
            }
            Err(e) => {
                let position = Position {
                    line: Some(self.line + 1),
                    locator: "document".into(),
                };
                self.queue
                    .push_back(Err(RejectedRecord::fatal(&self.file, position, e)));
                self.done = true;
            }
        }
    }
}

impl Iterator for JsonLinesReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        while self.queue.is_empty() && !self.done {
            self.read_line();
        }
        self.queue.pop_front()
    }
}

/// serde_json's message without its " at line L column C" suffix.
fn message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Reads one OCDS JSON document on a background thread.
pub(crate) struct DocumentReader {
    rx: Receiver<Item>,
}

impl DocumentReader {
    /// `first` is the already opened file, used for the first (scouting) pass.
    pub(crate) fn spawn(
        first: LineReader,
        file: &Path,
        progress: Arc<AtomicU64>,
        skipped: Arc<AtomicU64>,
        repaired: Arc<AtomicU64>,
    ) -> Result<Self, IngestError> {
        let (tx, rx) = sync_channel(CHANNEL_CAPACITY);
        let path = file.to_path_buf();
        std::thread::Builder::new()
            .name("ocds-json-reader".into())
            .spawn(move || read_document(first, &path, progress, &skipped, repaired, &tx))
            .map_err(|cause| IngestError::Thread {
                path: file.to_path_buf(),
                cause,
            })?;
        Ok(DocumentReader { rx })
    }
}

impl Iterator for DocumentReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.rx.recv().ok()
    }
}

fn fatal_json(file: &Path, e: &serde_json::Error) -> Item {
    let position = Position {
        line: (e.line() > 0).then_some(e.line() as u64),
        locator: format!("column {}", e.column()),
    };
    Err(RejectedRecord::fatal(file, position, message(e)))
}

fn read_document(
    first: LineReader,
    file: &Path,
    progress: Arc<AtomicU64>,
    skipped: &AtomicU64,
    repaired: Arc<AtomicU64>,
    tx: &SyncSender<Item>,
) {
    let mut emit = |item: Item| tx.send(item).is_ok();
    let ctx = Ctx {
        file,
        line: None,
        skipped,
    };
    let mut keys = TopKeys::default();
    let scouted = Deserializer::deserialize_map(
        // Repairs counted on the second pass only.
        &mut serde_json::Deserializer::from_reader(BufReader::new(Utf8Repair::new(first, Arc::default()))),
        Scout(&mut keys),
    );
    let kind = keys.kind();
    if kind == DocKind::Unknown {
        let item = match scouted {
            Err(e) => fatal_json(file, &e),
            Ok(()) => ctx.reject("document".into(), None, UNKNOWN_DOCUMENT),
        };
        emit(item);
        return;
    }
    if !keys.report_dropped_releases(&ctx, &mut emit) {
        return;
    }
    let source = match open_source(file, progress) {
        Ok(s) => s,
        Err(e) => {
            let position = Position {
                line: None,
                locator: "document".into(),
            };
            emit(Err(RejectedRecord::fatal(file, position, e)));
            return;
        }
    };
    let reader = Utf8Repair::new(source.reader, repaired);
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(reader));
    if kind == DocKind::Release {
        // A hand-written file may hold several releases one after another,
        // each spread over lines (JSON Lines would need one per line).
        for (i, doc) in de.into_iter::<Value>().enumerate() {
            let item = match doc {
                Ok(doc) if i == 0 => release_item(&ctx, doc, "release".into(), false, None),
                Ok(doc) => release_item(&ctx, doc, format!("release {}", i + 1), false, None),
                Err(e) => fatal_json(file, &e),
            };
            let fatal = item.as_ref().is_err_and(|r| r.fatal);
            if !emit(item) || fatal {
                return;
            }
        }
        return;
    }
    let result = de.deserialize_map(Document {
        kind,
        ctx: &ctx,
        emit: &mut emit,
    });
    if let Err(e) = result.and_then(|()| de.end()) {
        // When the receiver is gone this send fails too, which is fine.
        emit(fatal_json(file, &e));
    }
}

/// First pass: notes the top-level keys, skipping their values.
struct Scout<'k>(&'k mut TopKeys);

impl<'de> Visitor<'de> for Scout<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object (OCDS release, record or package)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.0.note(&key);
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// Second pass over the top-level object, knowing what the document is.
struct Document<'a, 'e> {
    kind: DocKind,
    ctx: &'a Ctx<'a>,
    emit: &'a mut Emit<'e>,
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object (OCDS release, record or package)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Document { kind, ctx, emit } = self;
        let mut record = Map::new();
        let mut saw_releases = false;
        while let Some(key) = map.next_key::<String>()? {
            match (kind, key.as_str()) {
                (DocKind::ReleasePackage, "releases") => map.next_value_seed(Each(|i, v| {
                    emit(release_item(ctx, v, format!("releases[{i}]"), false, None))
                }))?,
                (DocKind::RecordPackage, "records") => {
                    map.next_value_seed(Each(|i, v| record_items(ctx, v, &format!("records[{i}]"), emit)))?
                }
                (DocKind::Record { compiled: false }, "releases") => {
                    saw_releases = true;
                    map.next_value_seed(Each(|i, v| {
                        embedded_release(ctx, v, format!("releases[{i}]"), emit)
                    }))?
                }
                (DocKind::Record { compiled: true }, "compiledRelease" | "ocid") => {
                    record.insert(key, map.next_value::<Value>()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match kind {
            DocKind::Record { compiled: true } => {
                record_items(ctx, Value::Object(record), "", emit);
            }
            DocKind::Record { compiled: false } if !saw_releases => {
                // Only a versionedRelease: nothing to import, rejected.
                record_items(ctx, Value::Object(record), "", emit);
            }
            _ => {}
        }
        Ok(())
    }
}

/// Deserializes an array one element at a time, handing each to a callback
/// that returns false to stop.
struct Each<F>(F);

impl<'de, F: FnMut(usize, Value) -> bool> DeserializeSeed<'de> for Each<F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(usize, Value) -> bool> Visitor<'de> for Each<F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            if !(self.0)(i, v) {
                return Err(de::Error::custom("reading stopped"));
            }
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items(doc: Value) -> (Vec<Item>, u64) {
        let skipped = AtomicU64::new(0);
        let ctx = Ctx {
            file: Path::new("t.json"),
            line: Some(1),
            skipped: &skipped,
        };
        let mut out = Vec::new();
        document_items(&ctx, doc, &mut |i| {
            out.push(i);
            true
        });
        (out, skipped.into_inner())
    }

    fn release(item: &Item) -> &OcdsRelease {
        match item {
            Ok(SourcedRecord {
                record: Record::OcdsRelease(r),
                ..
            }) => r,
            other => panic!("not a release: {other:?}"),
        }
    }

    #[test]
    fn record_with_compiled_release_yields_only_it() {
        let (out, _) = items(json!({
            "ocid": "o1",
            "releases": [{"url": "http://x/1", "date": "2020-01-01", "tag": ["tender"]}],
            "compiledRelease": {"ocid": "o1", "tag": ["compiled"]}
        }));
        assert_eq!(out.len(), 1);
        let r = release(&out[0]);
        assert!(r.compiled);
        assert_eq!((r.ocid.as_str(), r.release_id.as_str()), ("o1", "o1"));
        assert_eq!(
            out[0].as_ref().map(|s| s.position.locator.as_str()),
            Ok("compiledRelease")
        );
    }

    #[test]
    fn record_without_compiled_release_skips_linked_releases() {
        let (out, skipped) = items(json!({"records": [{
            "ocid": "o1",
            "releases": [
                {"url": "http://x/1", "date": "2020-01-01"},
                {"ocid": "o1", "id": 7, "date": "2020-01-02", "tag": ["award"]}
            ]
        }]}));
        assert_eq!((out.len(), skipped), (1, 1));
        let r = release(&out[0]);
        assert_eq!(
            (r.release_id.as_str(), r.date.as_deref(), r.compiled),
            ("7", Some("2020-01-02"), false)
        );
        assert_eq!(
            out[0].as_ref().map(|s| s.position.locator.as_str()),
            Ok("records[0].releases[1]")
        );
    }

    #[test]
    fn bad_releases_are_rejected_with_field() {
        let (out, _) = items(json!({"releases": [
            {"ocid": "o1", "id": "1"},
            {"id": "2"},
            {"ocid": 5, "id": "3"},
            {"ocid": "o4"},
            "nonsense"
        ]}));
        let fields: Vec<_> = out
            .iter()
            .map(|i| i.as_ref().err().map(|r| r.field.clone()))
            .collect();
        assert_eq!(
            fields,
            vec![
                None,
                Some(Some("ocid".into())),
                Some(Some("ocid".into())),
                Some(Some("id".into())),
                Some(None)
            ]
        );
    }

    #[test]
    fn unknown_document_is_rejected() {
        let (out, _) = items(json!({"hello": 1}));
        assert!(out[0].is_err());
    }
}
