//! Streaming XES (IEEE 1849) reader.
//!
//! Each `<trace>` becomes a [`ProcessCase`] followed by one [`ProcessEvent`]
//! per `<event>`; a trace's events are buffered until the trace ends, so the
//! case always comes first. Log-level attributes other than `concept:name`,
//! `<extension>`, `<global>`, `<classifier>`, nested attributes, and
//! `<list>`/`<container>` attributes are skipped. Timestamps without an
//! offset are taken as UTC.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use mandate_model::record::{Attributes, Position};
use mandate_model::{ProcessCase, ProcessEvent, Record, SourcedRecord};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::Reader;
use serde_json::Value;

use crate::error::RejectedRecord;
use crate::source::LineReader;
use crate::Item;

const CONCEPT_NAME: &str = "concept:name";
const TIMESTAMP: &str = "time:timestamp";
/// Attribute keys tried, in order, for an event's identifier.
const EVENT_ID_KEYS: [&str; 3] = ["id", "identity:id", "concept:instance"];

/// The XES attribute types this reader keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Id,
    Date,
    Int,
    Float,
    Boolean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Log,
    Trace,
    Event,
    Attr(Kind),
    Other,
}

impl Tag {
    fn of(local: &[u8]) -> Tag {
        match local {
            b"log" => Tag::Log,
            b"trace" => Tag::Trace,
            b"event" => Tag::Event,
            b"string" => Tag::Attr(Kind::String),
            b"id" => Tag::Attr(Kind::Id),
            b"date" => Tag::Attr(Kind::Date),
            b"int" => Tag::Attr(Kind::Int),
            b"float" => Tag::Attr(Kind::Float),
            b"boolean" => Tag::Attr(Kind::Boolean),
            _ => Tag::Other,
        }
    }
}

/// One typed attribute, e.g. `<date key="time:timestamp" value="..."/>`.
#[derive(Debug)]
struct Attr {
    key: String,
    kind: Kind,
    value: String,
}

/// An XML element, copied out of quick-xml's buffer.
struct Element {
    name: Vec<u8>,
    tag: Tag,
    /// For attribute elements: the attribute, or why it could not be read.
    attr: Option<Result<Attr, String>>,
}

enum Step {
    Open(Element),
    Empty(Element),
    Close,
    Eof,
    Text { blank: bool },
    Other,
}

/// A trace or event as read, before validation.
#[derive(Default)]
struct RawElement {
    line: u64,
    attrs: Vec<Attr>,
    problem: Option<String>,
}

impl RawElement {
    fn add(&mut self, attr: Option<Result<Attr, String>>) {
        match attr {
            Some(Ok(a)) => self.attrs.push(a),
            Some(Err(reason)) => {
                self.problem.get_or_insert(reason);
            }
            None => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    BeforeLog,
    InLog,
    Done,
}

pub(crate) struct XesReader {
    reader: Reader<LineReader>,
    file: PathBuf,
    process: String,
    buf: Vec<u8>,
    skip_buf: Vec<u8>,
    queue: VecDeque<Item>,
    state: State,
    traces: u64,
    in_trace: bool,
}

impl XesReader {
    pub(crate) fn new(reader: LineReader, file: &Path) -> Self {
        let mut reader = Reader::from_reader(reader);
        reader.config_mut().check_end_names = true;
        XesReader {
            reader,
            file: file.to_path_buf(),
            process: default_process_name(file),
            buf: Vec::new(),
            skip_buf: Vec::new(),
            queue: VecDeque::new(),
            state: State::BeforeLog,
            traces: 0,
            in_trace: false,
        }
    }

    fn line(&self) -> u64 {
        self.reader.get_ref().line()
    }

    /// Reads the next XML event and copies out what the reader needs.
    fn step(&mut self) -> Result<Step, String> {
        self.buf.clear();
        let event = self
            .reader
            .read_event_into(&mut self.buf)
            .map_err(|e| format!("XML error: {e}"))?;
        Ok(match event {
            Event::Start(e) => Step::Open(element(&e)),
            Event::Empty(e) => Step::Empty(element(&e)),
            Event::End(_) => Step::Close,
            Event::Eof => Step::Eof,
            Event::Text(t) => Step::Text {
                blank: t.iter().all(u8::is_ascii_whitespace),
            },
            _ => Step::Other,
        })
    }

    /// Skips the children of an element whose start tag was just read.
    fn skip(&mut self, name: &[u8]) -> Result<(), String> {
        self.skip_buf.clear();
        self.reader
            .read_to_end_into(QName(name), &mut self.skip_buf)
            .map(|_| ())
            .map_err(|e| format!("XML error: {e}"))
    }

    /// Reads until at least one item is queued or the file is done.
    fn fill(&mut self) {
        while self.queue.is_empty() && self.state != State::Done {
            if let Err(detail) = self.advance() {
                let locator = if self.in_trace {
                    format!("trace {}", self.traces)
                } else {
                    "log".to_owned()
                };
                let position = Position {
                    line: Some(self.line()),
                    locator,
                };
                self.queue
                    .push_back(Err(RejectedRecord::fatal(&self.file, position, detail)));
                self.state = State::Done;
            }
        }
    }

    fn advance(&mut self) -> Result<(), String> {
        let line = self.line();
        let step = self.step()?;
        match (self.state, step) {
            (State::BeforeLog, Step::Open(e) | Step::Empty(e)) if e.tag != Tag::Log => Err(format!(
                "the root element is <{}>, not <log>: not an XES file",
                String::from_utf8_lossy(&e.name)
            )),
            (State::BeforeLog, Step::Open(_)) => {
                self.state = State::InLog;
                Ok(())
            }
            (State::BeforeLog, Step::Empty(_)) => {
                self.state = State::Done;
                Ok(())
            }
            (State::BeforeLog, Step::Text { blank: false }) => {
                Err("text outside any element: not an XES (XML) file".into())
            }
            (State::BeforeLog, Step::Eof) => Err("no <log> element: not an XES file".into()),
            (State::InLog, Step::Open(e)) => match e.tag {
                Tag::Trace => self.read_trace(line),
                Tag::Attr(_) => {
                    self.log_attribute(e.attr);
                    self.skip(&e.name)
                }
                _ => self.skip(&e.name),
            },
            (State::InLog, Step::Empty(e)) => {
                match e.tag {
                    Tag::Trace => {
                        self.traces += 1;
                        let raw = RawElement {
                            line,
                            ..RawElement::default()
                        };
                        self.emit_trace(raw, Vec::new());
                    }
                    Tag::Attr(_) => self.log_attribute(e.attr),
                    _ => {}
                }
                Ok(())
            }
            (State::InLog, Step::Close) => {
                self.state = State::Done;
                Ok(())
            }
            (State::InLog, Step::Eof) => Err("the file ends inside <log> (truncated?)".into()),
            _ => Ok(()),
        }
    }

    /// A direct child attribute of `<log>`: only `concept:name` before the
    /// first trace matters (the process name).
    fn log_attribute(&mut self, attr: Option<Result<Attr, String>>) {
        if let Some(Ok(a)) = attr {
            if a.key == CONCEPT_NAME && self.traces == 0 {
                self.process = a.value;
            }
        }
    }

    fn read_trace(&mut self, line: u64) -> Result<(), String> {
        self.traces += 1;
        self.in_trace = true;
        let mut trace = RawElement {
            line,
            ..RawElement::default()
        };
        let mut events = Vec::new();
        loop {
            let line = self.line();
            match self.step()? {
                Step::Open(e) => match e.tag {
                    Tag::Event => events.push(self.read_event(line)?),
                    Tag::Attr(_) => {
                        trace.add(e.attr);
                        self.skip(&e.name)?;
                    }
                    _ => self.skip(&e.name)?,
                },
                Step::Empty(e) => match e.tag {
                    Tag::Event => events.push(RawElement {
                        line,
                        ..RawElement::default()
                    }),
                    Tag::Attr(_) => trace.add(e.attr),
                    _ => {}
                },
                Step::Close => break,
                Step::Eof => return Err("the file ends inside a <trace> (truncated?)".into()),
                Step::Text { .. } | Step::Other => {}
            }
        }
        self.in_trace = false;
        self.emit_trace(trace, events);
        Ok(())
    }

    fn read_event(&mut self, line: u64) -> Result<RawElement, String> {
        let mut event = RawElement {
            line,
            ..RawElement::default()
        };
        loop {
            match self.step()? {
                Step::Open(e) => {
                    if let Tag::Attr(_) = e.tag {
                        event.add(e.attr);
                    }
                    self.skip(&e.name)?;
                }
                Step::Empty(e) => event.add(e.attr),
                Step::Close => return Ok(event),
                Step::Eof => return Err("the file ends inside an <event> (truncated?)".into()),
                Step::Text { .. } | Step::Other => {}
            }
        }
    }

    fn emit_trace(&mut self, trace: RawElement, events: Vec<RawElement>) {
        let index = self.traces;
        let position = Position {
            line: Some(trace.line),
            locator: format!("trace {index}"),
        };
        let reject = |field: Option<&str>, reason: String| {
            Err(RejectedRecord::new(&self.file, position.clone(), field, reason))
        };
        if let Some(problem) = trace.problem {
            let item = reject(
                None,
                format!("{problem}; its {} events are not imported", events.len()),
            );
            self.queue.push_back(item);
            return;
        }
        let mut attrs = by_key(trace.attrs);
        let Some(case_id) = attrs.remove(CONCEPT_NAME) else {
            let reason = format!(
                "trace has no case id; its {} events are not imported",
                events.len()
            );
            self.queue.push_back(reject(Some(CONCEPT_NAME), reason));
            return;
        };
        let case = ProcessCase {
            process: self.process.clone(),
            case_id: case_id.value,
            attributes: to_attributes(attrs),
        };
        let case_id = case.case_id.clone();
        self.queue.push_back(Ok(SourcedRecord {
            record: Record::ProcessCase(case),
            position,
        }));
        for (i, event) in events.into_iter().enumerate() {
            let position = Position {
                line: Some(event.line),
                locator: format!("trace {index} / event {}", i + 1),
            };
            let item = match build_event(&self.process, &case_id, event) {
                Ok(e) => Ok(SourcedRecord {
                    record: Record::ProcessEvent(e),
                    position,
                }),
                Err((field, reason)) => Err(RejectedRecord::new(&self.file, position, field, reason)),
            };
            self.queue.push_back(item);
        }
    }
}

impl Iterator for XesReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.fill();
        self.queue.pop_front()
    }
}

fn element(e: &BytesStart<'_>) -> Element {
    let tag = Tag::of(e.local_name().as_ref());
    let attr = match tag {
        Tag::Attr(kind) => Some(read_attr(e, kind)),
        _ => None,
    };
    Element {
        name: e.name().as_ref().to_vec(),
        tag,
        attr,
    }
}

fn read_attr(e: &BytesStart<'_>, kind: Kind) -> Result<Attr, String> {
    let mut key = None;
    let mut value = None;
    for a in e.attributes() {
        let a = a.map_err(|err| format!("malformed XML attribute: {err}"))?;
        let slot = match a.key.local_name().as_ref() {
            b"key" => &mut key,
            b"value" => &mut value,
            _ => continue,
        };
        let text = a
            .unescape_value()
            .map_err(|err| format!("unreadable attribute value: {err}"))?;
        *slot = Some(text.into_owned());
    }
    let key = key.ok_or("XES attribute without a key")?;
    let value = value.ok_or_else(|| format!("XES attribute {key} has no value"))?;
    Ok(Attr { key, kind, value })
}

fn by_key(attrs: Vec<Attr>) -> BTreeMap<String, Attr> {
    attrs.into_iter().map(|a| (a.key.clone(), a)).collect()
}

fn to_attributes(attrs: BTreeMap<String, Attr>) -> Attributes {
    attrs
        .into_iter()
        .map(|(k, a)| (k, typed_value(a.kind, a.value)))
        .collect()
}

/// Turns an XES value into JSON by its type; values that do not parse as
/// their declared type are kept as strings.
fn typed_value(kind: Kind, value: String) -> Value {
    match kind {
        Kind::String | Kind::Id | Kind::Date => Value::String(value),
        Kind::Int => match value.trim().parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(value),
        },
        Kind::Float => match value
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            Some(n) => Value::Number(n),
            None => Value::String(value),
        },
        Kind::Boolean => match value.trim() {
            "true" | "TRUE" | "True" | "1" => Value::Bool(true),
            "false" | "FALSE" | "False" | "0" => Value::Bool(false),
            _ => Value::String(value),
        },
    }
}

type Problem = (Option<&'static str>, String);

fn build_event(process: &str, case_id: &str, raw: RawElement) -> Result<ProcessEvent, Problem> {
    if let Some(problem) = raw.problem {
        return Err((None, problem));
    }
    let mut attrs = by_key(raw.attrs);
    let activity = attrs
        .remove(CONCEPT_NAME)
        .ok_or((Some(CONCEPT_NAME), "event has no activity name".to_owned()))?
        .value;
    let time = attrs
        .remove(TIMESTAMP)
        .ok_or((Some(TIMESTAMP), "event has no timestamp".to_owned()))?
        .value;
    let time = parse_time(&time).ok_or_else(|| (Some(TIMESTAMP), format!("unparsable date {time:?}")))?;
    let event_id = EVENT_ID_KEYS
        .iter()
        .find_map(|k| attrs.remove(*k))
        .map(|a| a.value);
    Ok(ProcessEvent {
        process: process.to_owned(),
        case_id: case_id.to_owned(),
        event_id,
        activity,
        time,
        resource: attrs.remove("org:resource").map(|a| a.value),
        role: attrs.remove("org:role").map(|a| a.value),
        attributes: to_attributes(attrs),
    })
}

/// Parses an XES date: RFC 3339 (`2017-01-09T09:49:50.000+01:00`, `...Z`),
/// an offset without colon (`+0100`), or no offset at all, which is taken as UTC.
pub(crate) fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc().fixed_offset())
        })
}

/// The file name without `.gz` and `.xes`.
fn default_process_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut stem = name.as_str();
    for ext in [".gz", ".xes"] {
        if stem.len() > ext.len() && stem[stem.len() - ext.len()..].eq_ignore_ascii_case(ext) {
            stem = &stem[..stem.len() - ext.len()];
        }
    }
    stem.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_xes_dates() {
        let t = |s| parse_time(s).map(|d| d.to_rfc3339());
        assert_eq!(
            t("2017-01-09T09:49:50.000+01:00").as_deref(),
            Some("2017-01-09T09:49:50+01:00")
        );
        assert_eq!(
            t("2017-01-09T09:49:50Z").as_deref(),
            Some("2017-01-09T09:49:50+00:00")
        );
        assert_eq!(
            t("2017-01-09T09:49:50.5+0100").as_deref(),
            Some("2017-01-09T09:49:50.500+01:00")
        );
        assert_eq!(
            t("2006-07-24T00:00:00").as_deref(),
            Some("2006-07-24T00:00:00+00:00")
        );
        assert_eq!(
            t("2006-07-24T00:00:00.250").as_deref(),
            Some("2006-07-24T00:00:00.250+00:00")
        );
        assert_eq!(t("2017-13-45T00:00:00+01:00"), None);
        assert_eq!(t("yesterday"), None);
    }

    #[test]
    fn typed_values() {
        assert_eq!(typed_value(Kind::Int, "42".into()), Value::from(42));
        assert_eq!(typed_value(Kind::Float, "2.5".into()), Value::from(2.5));
        assert_eq!(typed_value(Kind::Float, "NaN".into()), Value::from("NaN"));
        assert_eq!(typed_value(Kind::Boolean, "true".into()), Value::from(true));
        assert_eq!(typed_value(Kind::Int, "x".into()), Value::from("x"));
    }

    #[test]
    fn process_name_from_file_name() {
        assert_eq!(
            default_process_name(Path::new("data/a/PermitLog.xes.gz")),
            "PermitLog"
        );
        assert_eq!(default_process_name(Path::new("x.XES")), "x");
        assert_eq!(default_process_name(Path::new("log")), "log");
    }
}
