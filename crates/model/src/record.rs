//! Records of power as mandate stores them: one variant per kind of input.
//!
//! A record is what one log entry holds. Its canonical JSON (see
//! [`crate::canonical`]) is the exact byte string hashed into the transparency
//! log, so every field here is part of the log format: add fields, never
//! rename them.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Free-form attributes carried over from the source (XES attributes, CSV
/// columns). Sorted, so the canonical form does not depend on input order.
pub type Attributes = BTreeMap<String, Value>;

/// One record of power, tagged by `kind` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A case (trace) of an administrative process, with its case-level attributes.
    ProcessCase(ProcessCase),
    /// One step of an administrative process: a submission, approval, payment...
    ProcessEvent(ProcessEvent),
    /// One OCDS release, or the compiled release of an OCDS record.
    OcdsRelease(OcdsRelease),
    /// An exercise of power by an official: an approval, appointment,
    /// award... checked against the mandate.
    Act(crate::act::Act),
    /// A confidential record, logged only as a salted commitment to its
    /// canonical JSON; the content stays in the operator's database until
    /// it is disclosed.
    Commitment(Commitment),
}

/// What the log shows of a record held beside it: a confidential record,
/// or a public one too large for a log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    /// The kind of the held record (`process_event`...).
    pub record_kind: String,
    /// Hex SHA-256 commitment (see `mandate_ledger::commitment`).
    pub commitment: String,
    /// Set for a public record longer than a log entry may be (65,535
    /// bytes, the C2SP tile entry limit): its length. Its salt is then all
    /// zeros, so anyone holding the record can recompute the commitment;
    /// `log disclose` publishes it with its proof. Absent for confidential
    /// records, whose salt is random.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_length: Option<u64>,
}

/// A case of an administrative process (an XES trace), without its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessCase {
    /// The process log the case belongs to (XES log `concept:name`, or the file stem).
    pub process: String,
    /// Case identifier (XES trace `concept:name`).
    pub case_id: String,
    /// Every other case attribute, as in the source.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: Attributes,
}

/// One event of an administrative process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessEvent {
    pub process: String,
    pub case_id: String,
    /// Event identifier from the source (XES `id` or `concept:instance`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// What was done (XES `concept:name`).
    pub activity: String,
    /// When it was done, with the offset the source gave.
    pub time: DateTime<FixedOffset>,
    /// Who did it (XES `org:resource`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// In which role (XES `org:role`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: Attributes,
}

/// An OCDS release as published. `compiled` marks a record's compiled release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcdsRelease {
    pub ocid: String,
    /// Release id (`id`); for a compiled release, the publisher's id or `ocid` itself.
    pub release_id: String,
    /// Release `date`, kept as published (not parsed: many publishers are sloppy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// True for the `compiledRelease` of an OCDS record.
    #[serde(default)]
    pub compiled: bool,
    /// The release exactly as published.
    pub release: Value,
}

impl Record {
    /// A short stable identifier, unique within one kind and subject, for
    /// people to read in findings ("which record?"); the log index is the
    /// authoritative reference.
    pub fn record_id(&self) -> String {
        match self {
            Record::ProcessCase(c) => format!("case:{}/{}", c.process, c.case_id),
            Record::ProcessEvent(e) => match &e.event_id {
                Some(id) => format!("event:{}/{}/{}", e.process, e.case_id, id),
                None => format!(
                    "event:{}/{}/{}@{}",
                    e.process,
                    e.case_id,
                    e.activity,
                    e.time.to_rfc3339()
                ),
            },
            Record::OcdsRelease(r) => format!("ocds:{}/{}", r.ocid, r.release_id),
            Record::Act(a) => format!("act:{}", a.id),
            Record::Commitment(c) => format!("commitment:{}", c.commitment),
        }
    }

    /// The kind tag as it appears in JSON (`process_event`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Record::ProcessCase(_) => "process_case",
            Record::ProcessEvent(_) => "process_event",
            Record::OcdsRelease(_) => "ocds_release",
            Record::Act(_) => "act",
            Record::Commitment(_) => "commitment",
        }
    }

    /// The subject the record is about: the process case or the contracting process.
    pub fn subject_key(&self) -> String {
        match self {
            Record::ProcessCase(c) => format!("{}/{}", c.process, c.case_id),
            Record::ProcessEvent(e) => format!("{}/{}", e.process, e.case_id),
            Record::OcdsRelease(r) => r.ocid.clone(),
            Record::Act(a) => format!("act:{}", a.id),
            Record::Commitment(c) => format!("commitment:{}", c.commitment),
        }
    }

    /// When the record happened, if it says so (event time; OCDS release date when parseable).
    pub fn time(&self) -> Option<DateTime<FixedOffset>> {
        match self {
            Record::ProcessCase(_) | Record::Commitment(_) => None,
            Record::ProcessEvent(e) => Some(e.time),
            Record::Act(a) => Some(a.time),
            Record::OcdsRelease(r) => r
                .date
                .as_deref()
                .and_then(|d| DateTime::parse_from_rfc3339(d).ok()),
        }
    }
}

/// Where a record came from, for error messages and provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// 1-based line in the (decompressed) file, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Human-readable path inside the file: `releases[17]`, `trace 12 / event 3`, `line 40`.
    pub locator: String,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line} ({})", self.locator),
            None => f.write_str(&self.locator),
        }
    }
}

/// A record together with its position in the source file.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcedRecord {
    pub record: Record,
    pub position: Position,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_serialises_with_kind_tag_and_sorted_attributes() {
        let mut attributes = Attributes::new();
        attributes.insert("z".into(), Value::from(1));
        attributes.insert("a".into(), Value::from("x"));
        let event = Record::ProcessEvent(ProcessEvent {
            process: "P".into(),
            case_id: "c1".into(),
            event_id: None,
            activity: "Approve".into(),
            time: DateTime::parse_from_rfc3339("2017-01-09T09:49:50+01:00").unwrap_or_default(),
            resource: None,
            role: Some("SUPERVISOR".into()),
            attributes,
        });
        let json = serde_json::to_string(&event).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"kind":"process_event","process":"P","case_id":"c1","activity":"Approve","time":"2017-01-09T09:49:50+01:00","role":"SUPERVISOR","attributes":{"a":"x","z":1}}"#
        );
        assert_eq!(event.record_id(), "event:P/c1/Approve@2017-01-09T09:49:50+01:00");
    }
}
