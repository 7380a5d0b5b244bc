//! Event logs as CSV (one event per row, as exported by process-mining and
//! workflow tools): which column holds the case, the activity, the time and
//! the resource is given by [`CsvColumns`], or recognised from the usual
//! names (`case:concept:name`, `case_id`, `concept:name`, `activity`,
//! `time:timestamp`, `timestamp`, `org:resource`...). Columns named
//! `case:...` (PM4Py's export of XES trace attributes) become the attributes
//! of a case record, given once per case before its first event; every other
//! column is kept as an event attribute. Date-times are stored as RFC 3339. The delimiter (`,` `;` or tab) is read from the
//! header line. A row without a case, activity or readable time is rejected
//! with its line and column; the next row is read.

use std::collections::HashSet;
use std::io::{BufRead, Cursor, Read};
use std::path::{Path, PathBuf};

use mandate_model::record::Position;
use mandate_model::{Attributes, ProcessCase, ProcessEvent, Record, SourcedRecord};

use crate::error::{IngestError, RejectedRecord};
use crate::source::LineReader;
use crate::xes::parse_time;
use crate::Item;

/// Which CSV column holds what. A column left `None` is looked for under
/// its usual names; the process is the file's name unless given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvColumns {
    pub case: Option<String>,
    pub activity: Option<String>,
    pub time: Option<String>,
    pub resource: Option<String>,
    pub role: Option<String>,
    pub event_id: Option<String>,
    /// The process every event belongs to.
    pub process: Option<String>,
}

const CASE: &[&str] = &["case:concept:name", "case_id", "case id", "caseid", "case"];
const ACTIVITY: &[&str] = &[
    "concept:name",
    "activity",
    "activity_name",
    "activity name",
    "event",
];
const TIME: &[&str] = &[
    "time:timestamp",
    "timestamp",
    "time",
    "complete timestamp",
    "end_timestamp",
    "date",
];
const RESOURCE: &[&str] = &["org:resource", "resource", "user", "performer"];
const ROLE: &[&str] = &["org:role", "role"];
const EVENT_ID: &[&str] = &["id", "event_id", "event id", "identity:id"];

/// Where each field is: column indexes into a row.
struct Layout {
    case: usize,
    activity: usize,
    time: usize,
    resource: Option<usize>,
    role: Option<usize>,
    event_id: Option<usize>,
    /// `case:...` columns other than the case id: attribute name and column.
    case_attributes: Vec<(String, usize)>,
    headers: Vec<String>,
}

pub(crate) struct CsvReader {
    rows: csv::Reader<Box<dyn Read + Send>>,
    layout: Layout,
    process: String,
    file: PathBuf,
    record: csv::StringRecord,
    /// Cases whose case record was given already.
    seen: HashSet<String>,
    /// The event to give after its case's record.
    pending: Option<Item>,
    done: bool,
}

impl CsvReader {
    pub(crate) fn new(
        mut reader: LineReader,
        file: &Path,
        columns: &CsvColumns,
    ) -> Result<Self, IngestError> {
        let unreadable = |reason: String| IngestError::UnknownFormat {
            path: file.to_path_buf(),
            reason,
        };
        let mut header = Vec::new();
        reader
            .read_until(b'\n', &mut header)
            .map_err(|cause| IngestError::Read {
                path: file.to_path_buf(),
                cause,
            })?;
        let delimiter = delimiter_of(&header);
        let input: Box<dyn Read + Send> = Box::new(Cursor::new(header).chain(reader));
        let mut rows = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(input);
        let headers: Vec<String> = rows
            .headers()
            .map_err(|e| unreadable(format!("the CSV header cannot be read: {e}")))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let layout = Layout::of(headers, columns).map_err(unreadable)?;
        Ok(CsvReader {
            rows,
            layout,
            process: columns.process.clone().unwrap_or_else(|| process_name(file)),
            file: file.to_path_buf(),
            record: csv::StringRecord::new(),
            seen: HashSet::new(),
            pending: None,
            done: false,
        })
    }

    fn event(&self, line: u64) -> Item {
        let position = row_position(line);
        let cell = |i: usize| self.record.get(i).map(str::trim).filter(|v| !v.is_empty());
        let reject = |i: usize, reason: &str| {
            Err(RejectedRecord::new(
                &self.file,
                position.clone(),
                Some(&self.layout.headers[i]),
                reason,
            ))
        };
        let l = &self.layout;
        let Some(case_id) = cell(l.case) else {
            return reject(l.case, "empty: every event needs its case");
        };
        let Some(activity) = cell(l.activity) else {
            return reject(l.activity, "empty: every event needs its activity");
        };
        let Some(raw_time) = cell(l.time) else {
            return reject(l.time, "empty: every event needs its time");
        };
        let Some(time) = parse_time(&raw_time.replacen(' ', "T", 1)) else {
            return reject(
                l.time,
                &format!("unparsable date {raw_time:?} (expected e.g. 2024-03-07T16:00:00+01:00 or 2024-03-07 16:00:00)"),
            );
        };
        let mut attributes = Attributes::new();
        let used = [
            Some(l.case),
            Some(l.activity),
            Some(l.time),
            l.resource,
            l.role,
            l.event_id,
        ];
        for (i, name) in l.headers.iter().enumerate() {
            let of_case = l.case_attributes.iter().any(|(_, c)| *c == i);
            if used.contains(&Some(i)) || of_case || name.is_empty() {
                continue;
            }
            if let Some(value) = cell(i) {
                attributes.insert(name.clone(), attribute(value));
            }
        }
        Ok(SourcedRecord {
            record: Record::ProcessEvent(ProcessEvent {
                process: self.process.clone(),
                case_id: case_id.to_string(),
                event_id: l.event_id.and_then(cell).map(str::to_string),
                activity: activity.to_string(),
                time,
                resource: l.resource.and_then(cell).map(str::to_string),
                role: l.role.and_then(cell).map(str::to_string),
                attributes,
            }),
            position,
        })
    }
}

impl Iterator for CsvReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if let Some(event) = self.pending.take() {
            return Some(event);
        }
        if self.done {
            return None;
        }
        match self.rows.read_record(&mut self.record) {
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                let event = self.event(line);
                match self.new_case(&event) {
                    Some(case) => {
                        self.pending = Some(event);
                        Some(Ok(case))
                    }
                    None => Some(event),
                }
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    self.done = true;
                    return Some(Err(RejectedRecord::fatal(&self.file, row_position(line), e)));
                }
                // A row that is not valid UTF-8: reject it, go on.
                Some(Err(RejectedRecord::new(
                    &self.file,
                    row_position(line),
                    None,
                    e.to_string(),
                )))
            }
        }
    }
}

impl CsvReader {
    /// The case record to give before `event`, if it opens a new case.
    fn new_case(&mut self, event: &Item) -> Option<SourcedRecord> {
        let Ok(SourcedRecord {
            record: Record::ProcessEvent(e),
            position,
        }) = event
        else {
            return None;
        };
        if self.seen.contains(&e.case_id) {
            return None;
        }
        self.seen.insert(e.case_id.clone());
        let attributes = self
            .layout
            .case_attributes
            .iter()
            .filter_map(|(name, i)| {
                let value = self.record.get(*i).map(str::trim).filter(|v| !v.is_empty())?;
                Some((name.clone(), attribute(value)))
            })
            .collect();
        Some(SourcedRecord {
            record: Record::ProcessCase(ProcessCase {
                process: e.process.clone(),
                case_id: e.case_id.clone(),
                attributes,
            }),
            position: position.clone(),
        })
    }
}

/// A cell as an attribute: a date-time in RFC 3339, anything else as written.
fn attribute(value: &str) -> serde_json::Value {
    let looks_like_date = value.len() >= 19 && value.as_bytes()[4] == b'-' && value.as_bytes()[10] == b' ';
    match looks_like_date
        .then(|| parse_time(&value.replacen(' ', "T", 1)))
        .flatten()
    {
        Some(time) => time.to_rfc3339().into(),
        None => value.into(),
    }
}

impl Layout {
    fn of(headers: Vec<String>, columns: &CsvColumns) -> Result<Layout, String> {
        let listed = || headers.join(", ");
        let find = |given: &Option<String>, usual: &[&str]| match given {
            Some(name) => headers
                .iter()
                .position(|h| h == name)
                .map(Some)
                .ok_or_else(|| format!("no column `{name}` (columns: {})", listed())),
            None => Ok(usual
                .iter()
                .find_map(|u| headers.iter().position(|h| h.eq_ignore_ascii_case(u)))),
        };
        let required = |found: Option<usize>, what: &str, flag: &str| {
            found.ok_or_else(|| {
                format!(
                    "no column for the {what}: name it with {flag} (columns: {})",
                    listed()
                )
            })
        };
        let case = required(find(&columns.case, CASE)?, "case", "--case-column")?;
        let activity = required(
            find(&columns.activity, ACTIVITY)?,
            "activity",
            "--activity-column",
        )?;
        let time = required(find(&columns.time, TIME)?, "time", "--time-column")?;
        let resource = find(&columns.resource, RESOURCE)?;
        let role = find(&columns.role, ROLE)?;
        let event_id = find(&columns.event_id, EVENT_ID)?;
        let case_attributes = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != case)
            .filter_map(|(i, h)| Some((h.strip_prefix("case:")?.to_string(), i)))
            .collect();
        Ok(Layout {
            case,
            activity,
            time,
            resource,
            role,
            event_id,
            case_attributes,
            headers,
        })
    }
}

/// The most frequent of `,` `;` and tab in the header line (`,` if none).
fn delimiter_of(header: &[u8]) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| header.iter().filter(|b| *b == d).count())
        .filter(|d| header.contains(d))
        .unwrap_or(b',')
}

/// The file name without `.gz` and `.csv`.
fn process_name(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("events");
    let name = name.strip_suffix(".gz").unwrap_or(name);
    name.strip_suffix(".csv").unwrap_or(name).to_string()
}

/// A data row's place: its line in the file and its number after the header.
fn row_position(line: u64) -> Position {
    Position {
        line: Some(line),
        locator: format!("row {}", line.saturating_sub(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_read_from_the_header() {
        assert_eq!(delimiter_of(b"case;activity;time\n"), b';');
        assert_eq!(delimiter_of(b"case\tactivity\ttime\n"), b'\t');
        assert_eq!(delimiter_of(b"case,activity,time\n"), b',');
        assert_eq!(delimiter_of(b"case\n"), b',');
    }

    #[test]
    fn usual_column_names_are_recognised_and_given_ones_win() {
        let headers = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let layout = Layout::of(
            headers(&["Case ID", "Activity", "Complete Timestamp", "Resource", "amount"]),
            &CsvColumns::default(),
        )
        .unwrap();
        assert_eq!(
            (layout.case, layout.activity, layout.time, layout.resource),
            (0, 1, 2, Some(3))
        );

        let given = CsvColumns {
            time: Some("amount".into()),
            ..CsvColumns::default()
        };
        let layout = Layout::of(headers(&["case", "activity", "amount"]), &given).unwrap();
        assert_eq!(layout.time, 2);

        let missing = Layout::of(headers(&["case", "what", "when"]), &CsvColumns::default());
        let message = missing.err().unwrap();
        assert!(message.contains("--activity-column"), "{message}");
        assert!(message.contains("columns: case, what, when"), "{message}");
    }
}
