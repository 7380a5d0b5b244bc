//! `mandate import FILE...`: read, canonicalise and append to the log.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use mandate_ingest::{CsvColumns, Format, RejectedRecord};
use mandate_ledger::commitment::{commit, new_salt};
use mandate_ledger::tiles::MAX_ENTRY_SIZE;
use mandate_model::canonical::to_canonical_json;
use mandate_model::{Commitment, Record, SourcedRecord};
use mandate_store::{Hidden, ImportState, NewRecord, Rejection, Store};
use sha2::{Digest, Sha256};

use crate::inputs;
use crate::output::{bytes_bar, print_table, report_repaired};
use crate::workspace::Workspace;

/// Rejections printed per file; all of them are kept in the database.
const SHOWN_REJECTIONS: usize = 5;

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders to import (a folder: its data files, recursively); the format is recognised from the content.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Force the format instead of recognising it: xes, ocds-json, ocds-jsonl, records-jsonl, csv, ocel-json, ocel-xml.
    #[arg(long)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub csv: CsvArgs,
    /// Print `committed SIZE ROOT` after each durable batch: the acknowledgement
    /// a pipeline can rely on (those records survive any crash).
    #[arg(long)]
    pub print_commits: bool,
    /// Log only a salted commitment to each record; the content stays in the
    /// database and reaches the public only through `mandate log disclose`.
    #[arg(long)]
    pub confidential: bool,
    /// Records per durable batch (one transaction, one disk sync each): larger
    /// is faster, smaller acknowledges sooner.
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: u64,
}

/// The columns of CSV event logs; unnamed ones are recognised by their usual names.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CsvArgs {
    /// CSV: the column holding the case id (default: case:concept:name, case_id, case...).
    #[arg(long, value_name = "COLUMN")]
    pub case_column: Option<String>,
    /// CSV: the column holding the activity (default: concept:name, activity...).
    #[arg(long, value_name = "COLUMN")]
    pub activity_column: Option<String>,
    /// CSV: the column holding the time (default: time:timestamp, timestamp, time...).
    #[arg(long, value_name = "COLUMN")]
    pub time_column: Option<String>,
    /// CSV: the column holding who did it (default: org:resource, resource...).
    #[arg(long, value_name = "COLUMN")]
    pub resource_column: Option<String>,
    /// CSV: the column holding the role (default: org:role, role).
    #[arg(long, value_name = "COLUMN")]
    pub role_column: Option<String>,
    /// CSV: the process the events belong to (default: the file's name).
    #[arg(long, value_name = "NAME")]
    pub process: Option<String>,
}

impl CsvArgs {
    fn columns(&self) -> CsvColumns {
        CsvColumns {
            case: self.case_column.clone(),
            activity: self.activity_column.clone(),
            time: self.time_column.clone(),
            resource: self.resource_column.clone(),
            role: self.role_column.clone(),
            event_id: None,
            process: self.process.clone(),
        }
    }
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub format: Option<Format>,
    pub csv: CsvColumns,
    pub print_commits: bool,
    /// Records per durable batch; 0 means the default.
    pub batch: usize,
    pub confidential: bool,
}

/// What happened to one file.
pub struct FileOutcome {
    pub file: String,
    pub format: String,
    pub accepted: u64,
    pub rejected: u64,
    /// Imported before: nothing was appended this time.
    pub already: bool,
    /// Why the file could not be opened or recognised (nothing was appended;
    /// the other files are still imported).
    pub unreadable: Option<String>,
}

impl FileOutcome {
    /// The last column of the import tables.
    fn note(&self) -> String {
        match (&self.unreadable, self.already) {
            (Some(why), _) => format!("not imported: {why}"),
            (None, true) => "already imported".into(),
            (None, false) => String::new(),
        }
    }
}

pub fn run(workspace_dir: &Path, args: Args) -> Result<ExitCode> {
    let workspace = Workspace::open(workspace_dir)?;
    let mut store = workspace.store()?;
    let options = Options {
        format: args.format,
        csv: args.csv.columns(),
        print_commits: args.print_commits,
        batch: args.batch as usize,
        confidential: args.confidential,
    };
    let files = inputs::expand(&args.files, inputs::DATA_FILES)?;
    let outcomes = import_files(&mut store, &files, &options)?;
    print_outcomes(&outcomes);
    println!("Log: {} entries, root {}", store.log_size(), hex(&store.root()));
    Ok(if outcomes.iter().any(|o| o.unreadable.is_some()) {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn import_files(store: &mut Store, files: &[PathBuf], options: &Options) -> Result<Vec<FileOutcome>> {
    files
        .iter()
        .map(|file| import_file(store, file, options))
        .collect()
}

pub fn print_outcomes(outcomes: &[FileOutcome]) {
    let rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| {
            vec![
                o.file.clone(),
                o.format.clone(),
                o.accepted.to_string(),
                o.rejected.to_string(),
                o.note(),
            ]
        })
        .collect();
    print_table(&["file", "format", "accepted", "rejected", ""], &rows);
    print_totals(outcomes);
}

/// [`print_outcomes`] with one row per folder: a demo imports hundreds of small
/// files, and what a reader wants is each source's totals (rejections are
/// still reported one by one, with file and position, as they happen).
pub fn print_outcomes_by_folder(outcomes: &[FileOutcome]) {
    #[derive(Default)]
    struct Folder<'a> {
        files: u64,
        formats: BTreeSet<&'a str>,
        accepted: u64,
        rejected: u64,
        already: u64,
        unreadable: u64,
    }
    let mut folders: BTreeMap<String, Folder> = BTreeMap::new();
    for o in outcomes {
        let name = inputs::folder_of(&o.file);
        let folder = folders.entry(name).or_default();
        folder.files += 1;
        folder.formats.insert(&o.format);
        folder.accepted += o.accepted;
        folder.rejected += o.rejected;
        folder.already += u64::from(o.already);
        folder.unreadable += u64::from(o.unreadable.is_some());
    }
    let rows: Vec<Vec<String>> = folders
        .into_iter()
        .map(|(name, f)| {
            vec![
                name,
                f.files.to_string(),
                f.formats.into_iter().collect::<Vec<_>>().join(", "),
                f.accepted.to_string(),
                f.rejected.to_string(),
                [
                    (f.already, "already imported"),
                    (f.unreadable, "not imported (see above)"),
                ]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, what)| {
                    if *n == f.files {
                        what.to_string()
                    } else {
                        format!("{n} {what}")
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
            ]
        })
        .collect();
    print_table(&["folder", "files", "format", "accepted", "rejected", ""], &rows);
    print_totals(outcomes);
}

fn print_totals(outcomes: &[FileOutcome]) {
    let accepted: u64 = outcomes.iter().map(|o| o.accepted).sum();
    let rejected: u64 = outcomes.iter().map(|o| o.rejected).sum();
    println!("  total: {accepted} accepted, {rejected} rejected");
}

fn import_file(store: &mut Store, path: &Path, options: &Options) -> Result<FileOutcome> {
    let name = path.display().to_string();
    let opened = file_sha256(path).and_then(|sha256| {
        let reader = mandate_ingest::open_with(path, options.format, &options.csv)?;
        Ok((sha256, reader))
    });
    let (sha256, mut reader) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            eprintln!("error: cannot import {name}: {e:#}");
            return Ok(FileOutcome {
                file: name,
                format: String::new(),
                accepted: 0,
                rejected: 0,
                already: false,
                unreadable: Some(format!("{e:#}")),
            });
        }
    };
    let format = reader.format().to_string();
    let (import_id, skip) = match store.import_state(&sha256)? {
        ImportState::Done {
            accepted, rejected, ..
        } => {
            return Ok(FileOutcome {
                file: name,
                format,
                accepted,
                rejected,
                already: true,
                unreadable: None,
            })
        }
        ImportState::Resume { import_id, consumed } => (import_id, consumed),
        ImportState::New => (store.start_import(&name, &sha256, &format, &super::now())?, 0),
    };

    let bar = bytes_bar(reader.file_len());
    bar.set_message(name.clone());
    let batch_size = if options.batch == 0 { 5_000 } else { options.batch };
    let mut batch = Batch {
        print_commits: options.print_commits,
        ..Batch::default()
    };
    let mut shown = 0;
    let mut oversized = 0u64;
    let mut totals = (0u64, 0u64);
    let mut to_skip = skip;
    while let Some(item) = reader.next() {
        if to_skip > 0 {
            to_skip -= 1; // committed by an earlier, interrupted import of this file
            continue;
        }
        batch.consumed += 1;
        match item {
            Ok(record) => {
                let prepared = prepare(&record, options.confidential)?;
                oversized += u64::from(!options.confidential && prepared.confidential.is_some());
                batch.records.push(prepared);
            }
            Err(rejected) => {
                if shown < SHOWN_REJECTIONS {
                    bar.suspend(|| eprintln!("rejected: {rejected}"));
                }
                shown += 1;
                batch.rejections.push(rejection(&rejected));
            }
        }
        if batch.records.len() + batch.rejections.len() >= batch_size {
            totals = batch.commit(store, import_id, totals)?;
            bar.set_position(reader.bytes_read());
            bar.set_prefix(format!("{} records", totals.0 + totals.1));
        }
    }
    totals = batch.commit(store, import_id, totals)?;
    report_repaired(&bar, &name, reader.repaired());
    if oversized > 0 {
        bar.suspend(|| {
            eprintln!(
                "note: {name}: {oversized} record(s) longer than a log entry may be ({MAX_ENTRY_SIZE} bytes): \
                 the log holds a commitment to each, `log disclose` publishes one with its proof"
            )
        });
    }
    bar.finish_and_clear();
    if shown > SHOWN_REJECTIONS {
        eprintln!("rejected: ... and {} more in {name}", shown - SHOWN_REJECTIONS);
    }
    store.finish_import(import_id, &super::now())?;
    let (accepted, rejected) = match store.import_state(&sha256)? {
        ImportState::Done {
            accepted, rejected, ..
        } => (accepted, rejected),
        _ => totals,
    };
    Ok(FileOutcome {
        file: name,
        format,
        accepted,
        rejected,
        already: false,
        unreadable: None,
    })
}

/// Records waiting to be committed together.
#[derive(Default)]
struct Batch {
    records: Vec<NewRecord>,
    rejections: Vec<Rejection>,
    consumed: u64,
    print_commits: bool,
}

impl Batch {
    /// Append durably; only now do these records count as accepted.
    fn commit(&mut self, store: &mut Store, import_id: i64, totals: (u64, u64)) -> Result<(u64, u64)> {
        if self.consumed == 0 {
            return Ok(totals);
        }
        store.append_batch(import_id, &self.records, &self.rejections, self.consumed)?;
        let totals = (
            totals.0 + self.records.len() as u64,
            totals.1 + self.rejections.len() as u64,
        );
        if self.print_commits {
            let mut out = std::io::stdout().lock();
            writeln!(out, "committed {} {}", store.log_size(), hex(&store.root()))?;
            out.flush()?;
        }
        *self = Batch {
            print_commits: self.print_commits,
            ..Batch::default()
        };
        Ok(totals)
    }
}

/// The entry for a record: its canonical JSON, or for a confidential import
/// only a salted commitment to it (the content is kept privately).
fn prepare(sourced: &SourcedRecord, confidential: bool) -> Result<NewRecord> {
    let record = &sourced.record;
    let content = to_canonical_json(record)?;
    // Held beside the log, with only a commitment in it: a confidential
    // record (random salt: nothing leaks), or a public one too long for a
    // tile's entry bundle (zero salt: anyone holding it can recompute).
    let (salt, public_length) = if confidential {
        let salt = new_salt().map_err(|e| anyhow::anyhow!("no randomness for a commitment salt: {e}"))?;
        (salt, None)
    } else if content.len() > MAX_ENTRY_SIZE {
        ([0u8; 32], Some(content.len() as u64))
    } else {
        return Ok(new_record(sourced, content, None));
    };
    let commitment = Record::Commitment(Commitment {
        record_kind: record.kind().to_string(),
        commitment: hex(&commit(&salt, &content)),
        public_length,
    });
    let body = to_canonical_json(&commitment)?;
    Ok(new_record(sourced, body, Some(Hidden { salt, content })))
}

fn new_record(sourced: &SourcedRecord, body: Vec<u8>, hidden: Option<Hidden>) -> NewRecord {
    let record = &sourced.record;
    NewRecord {
        body,
        kind: record.kind().to_string(),
        subject: record.subject_key(),
        record_id: record.record_id(),
        time_ms: record.time().map(|t| t.timestamp_millis()),
        position: sourced.position.to_string(),
        confidential: hidden,
    }
}

fn rejection(rejected: &RejectedRecord) -> Rejection {
    Rejection {
        position: rejected.position.to_string(),
        field: rejected.field.clone(),
        reason: rejected.reason.clone(),
    }
}

fn file_sha256(path: &Path) -> Result<String> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
