//! mandate's own records as JSON Lines: one record per line, tagged by
//! `kind` (`act`, `process_event`, `process_case`), in the format the log
//! stores (docs/records.md). Each line is checked on its own: a bad line is
//! rejected with its number and field, and the next line is read.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use mandate_model::record::Position;
use mandate_model::{Record, SourcedRecord};

use crate::error::RejectedRecord;
use crate::source::LineReader;
use crate::Item;

/// The kinds a record file may hold. OCDS releases come from OCDS files,
/// commitments only from a confidential import.
pub const KINDS: [&str; 3] = ["act", "process_event", "process_case"];

pub(crate) struct RecordsReader {
    reader: LineReader,
    file: PathBuf,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl RecordsReader {
    pub(crate) fn new(reader: LineReader, file: &Path) -> Self {
        RecordsReader {
            reader,
            file: file.to_path_buf(),
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    fn parse(&self) -> Item {
        let position = Position {
            line: Some(self.line),
            locator: format!("record {}", self.line),
        };
        let reject = |field: Option<&str>, reason: String| {
            Err(RejectedRecord::new(&self.file, position.clone(), field, reason))
        };
        let value: serde_json::Value = match serde_json::from_slice(self.buf.trim_ascii_end()) {
            Ok(value) => value,
            Err(e) => {
                return reject(
                    None,
                    format!("invalid JSON at column {}: {}", e.column(), without_position(&e)),
                )
            }
        };
        match value.get("kind").and_then(|k| k.as_str()) {
            None => {
                return reject(
                    Some("kind"),
                    format!("missing; expected one of: {}", KINDS.join(", ")),
                )
            }
            Some(kind) if !KINDS.contains(&kind) => {
                return reject(
                    Some("kind"),
                    format!(
                        "`{kind}` is not a record kind of this format ({})",
                        KINDS.join(", ")
                    ),
                )
            }
            Some(_) => {}
        }
        match serde_json::from_value::<Record>(value) {
            Ok(Record::Act(act)) if act.amount.is_some_and(|m| m.amount < 0.0) => reject(
                Some("amount.amount"),
                "negative: an act's amount is what it commits, 0 or more".into(),
            ),
            Ok(record) => Ok(SourcedRecord { record, position }),
            Err(e) => {
                let message = without_position(&e);
                reject(field_of(&message).as_deref(), message)
            }
        }
    }
}

impl Iterator for RecordsReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        while !self.done {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    self.line += 1;
                    if !self.buf.iter().all(u8::is_ascii_whitespace) {
                        return Some(self.parse());
                    }
                }
                Err(e) => {
                    self.done = true;
                    let position = Position {
                        line: Some(self.line + 1),
                        locator: format!("record {}", self.line + 1),
                    };
                    return Some(Err(RejectedRecord::fatal(&self.file, position, e)));
                }
            }
        }
        None
    }
}

/// serde_json's message without its " at line L column C" suffix.
fn without_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// The field a serde message names: "missing field `time`", "unknown field `x`".
fn field_of(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    let named = message.starts_with("missing field") || message.starts_with("unknown field");
    named.then(|| message[start..start + len].to_string())
}

#[cfg(test)]
mod tests {
    fn read(text: &str) -> Vec<Result<String, String>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acts.jsonl");
        std::fs::write(&path, text).unwrap();
        crate::open(&path, Some(crate::Format::Records))
            .unwrap()
            .map(|item| item.map(|r| r.record.record_id()).map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn a_negative_amount_is_rejected_with_its_field() {
        let act = |amount: &str| {
            format!(
                r#"{{"kind":"act","id":"a","actor":"p","matter":"fund_approval","organisation":"o","time":"2025-01-02T10:00:00+08:00","amount":{{"amount":{amount},"currency":"CNY"}}}}"#
            )
        };
        let items = read(&format!("{}\n{}\n", act("-100.0"), act("0")));
        assert!(
            items[0]
                .as_ref()
                .is_err_and(|e| e.contains("line 1 (record 1): field amount.amount: negative")),
            "{items:?}"
        );
        assert_eq!(items[1], Ok("act:a".into()));
    }

    #[test]
    fn good_lines_are_kept_and_bad_ones_named() {
        let items = read(concat!(
            r#"{"kind":"act","id":"a1","actor":"p","matter":"fund_approval","organisation":"o","time":"2025-01-02T10:00:00+08:00"}"#,
            "\n\n",
            r#"{"kind":"act","id":"a2","actor":"p","matter":"fund_approval","organisation":"o"}"#,
            "\n",
            r#"{"kind":"act","id":"a3","actor":"p","matter":"x","organisation":"o","time":"2025-01-02T10:00:00+08:00","amout":5}"#,
            "\n",
            r#"{"kind":"ocds_release"}"#,
            "\n{oops\n",
            r#"{"kind":"process_event","process":"P","case_id":"c","activity":"A","time":"2025-01-02T10:00:00Z"}"#,
            "\n"
        ));
        assert_eq!(items[0], Ok("act:a1".into()));
        let errors: Vec<&String> = items.iter().filter_map(|i| i.as_ref().err()).collect();
        assert_eq!(errors.len(), 4, "{items:?}");
        assert!(
            errors[0].contains("line 3 (record 3): field time: missing field `time`"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].contains("field amout: unknown field `amout`"),
            "{}",
            errors[1]
        );
        assert!(
            errors[2].contains("field kind: `ocds_release` is not a record kind"),
            "{}",
            errors[2]
        );
        assert!(
            errors[3].contains("line 6 (record 6): invalid JSON at column 2"),
            "{}",
            errors[3]
        );
        assert_eq!(
            items.last(),
            Some(&Ok("event:P/c/A@2025-01-02T10:00:00+00:00".into()))
        );
    }
}
