//! `mandate indicators FILE...`: screen OCDS files with the procurement
//! indicators directly, without a workspace or the log.
//!
//! Compiled releases (a record's `compiledRelease`, or a release tagged
//! `compiled`, or any release with `--compiled`) are screened as they are
//! read, so a large JSON Lines file of them takes bounded memory. Plain
//! releases are grouped by `ocid` and merged (OCDS merge rules) once every
//! file is read. Evidence in findings cites the record's position in the
//! input (`log_index` counts records across all files, from 0; there is no log).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use mandate_check::{Checker, ContractingProcess, Coverage, LoggedRelease};
use mandate_ingest::Format;
use mandate_model::{Evidence, Finding, OcdsRelease, Record};
use mandate_rules::{CodeList, Pack};

use crate::output::bytes_bar;
use crate::workspace::{CODELISTS_DIR, DEFAULT_CODELISTS, DEFAULT_PACKS};

/// Rejected records printed per file; all are counted.
const SHOWN_REJECTIONS: u64 = 10;
/// Example findings printed per indicator (all are in `--json`).
const SHOWN_FINDINGS: usize = 3;
/// Beyond this many input files the summary has one row per folder.
const MAX_FILE_ROWS: usize = 20;

#[derive(clap::Args)]
pub struct Args {
    /// OCDS files: release or record packages, releases, records, as JSON or JSON Lines (optionally gzipped).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Folder with rule packs (`*.toml`) and code lists (`codelists/*.toml`). Default: the shipped ones.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Print findings as JSON, one per line, on standard output (the summary goes to standard error).
    #[arg(long)]
    pub json: bool,
    /// Take every release as the compiled release of its process (no grouping by ocid).
    #[arg(long)]
    pub compiled: bool,
    /// Force the format instead of recognising it: ocds-json, ocds-jsonl.
    #[arg(long)]
    pub format: Option<Format>,
    /// Also write the coverage (per indicator, per source file, publisher codes) as JSON to this file.
    #[arg(long)]
    pub coverage: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let (packs, codelists) = load_rules(args.rules.as_deref())?;
    let checker = Checker::new(&packs).with_codelists(&codelists);
    let total: u64 = args
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = bytes_bar(total);
    let stdout = std::io::stdout().lock();
    let mut run = Screening {
        checker,
        compiled_flag: args.compiled,
        json: args.json.then(|| BufWriter::new(stdout)),
        bar: bar.clone(),
        seq: 0,
        screened: HashSet::new(),
        pending: BTreeMap::new(),
        notes: HashMap::new(),
        files: Vec::new(),
        counts: BTreeMap::new(),
        examples: BTreeMap::new(),
        processes: 0,
    };
    let mut unreadable = 0;
    let mut done_bytes = 0;
    for path in &args.files {
        bar.set_message(path.display().to_string());
        if let Err(e) = run.read_file(path, args.format, done_bytes) {
            unreadable += 1;
            bar.suspend(|| eprintln!("error: {e:#}"));
        }
        done_bytes += std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        bar.set_position(done_bytes);
    }
    bar.set_message("merging releases and judging aggregates");
    run.flush_pending()?;
    let aggregate = run.checker.finish();
    for finding in &aggregate {
        run.emit(finding, None)?;
    }
    if let Some(out) = run.json.as_mut() {
        out.flush()?;
    }
    bar.finish_and_clear();
    let Screening {
        checker,
        files,
        counts,
        examples,
        processes,
        ..
    } = run;
    let coverage = checker.into_coverage();
    if let Some(path) = &args.coverage {
        let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
        serde_json::to_writer_pretty(BufWriter::new(file), &coverage)?;
    }
    let summary = Summary {
        files: &files,
        processes,
        counts: &counts,
        examples: &examples,
        coverage: &coverage,
    };
    if args.json {
        // Standard output carries the findings only.
        let mut err = std::io::stderr().lock();
        summary.write(&mut err)?;
    } else {
        let mut out = std::io::stdout().lock();
        summary.write(&mut out)?;
    }
    Ok(if unreadable > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The packs and code lists of `dir`, or the shipped ones.
fn load_rules(dir: Option<&Path>) -> Result<(Vec<Pack>, Vec<CodeList>)> {
    match dir {
        Some(dir) => Ok((
            mandate_rules::load_dir(dir)?,
            mandate_rules::load_codelists(&dir.join(CODELISTS_DIR))?,
        )),
        None => {
            let packs = DEFAULT_PACKS
                .iter()
                .map(|(name, text)| mandate_rules::parse_pack(Path::new(name), text))
                .collect::<Result<Vec<_>, _>>()?;
            let lists = DEFAULT_CODELISTS
                .iter()
                .map(|(name, text)| mandate_rules::parse_codelist(Path::new(name), text))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((packs, lists))
        }
    }
}

/// What one input file gave.
#[derive(Default)]
struct FileStats {
    file: String,
    records: u64,
    rejected: u64,
    duplicates: u64,
    findings: u64,
}

struct Screening<'p, W: Write> {
    checker: Checker<'p>,
    compiled_flag: bool,
    json: Option<BufWriter<W>>,
    bar: ProgressBar,
    /// Records read so far, across files: the evidence's position.
    seq: u64,
    /// Hashes of the ocids screened from a compiled release.
    screened: HashSet<u64>,
    /// Plain releases by ocid, with the file they came from.
    pending: BTreeMap<String, Vec<(LoggedRelease, usize)>>,
    /// Evidence notes of pending releases, by position.
    notes: HashMap<u64, String>,
    files: Vec<FileStats>,
    counts: BTreeMap<String, u64>,
    examples: BTreeMap<String, Vec<Finding>>,
    processes: u64,
}

fn ocid_hash(ocid: &str) -> u64 {
    let mut h = DefaultHasher::new();
    ocid.hash(&mut h);
    h.finish()
}

fn is_compiled(release: &OcdsRelease) -> bool {
    release.compiled
        || release
            .release
            .get("tag")
            .and_then(|t| t.as_array())
            .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some("compiled")))
}

impl<W: Write> Screening<'_, W> {
    fn read_file(&mut self, path: &Path, format: Option<Format>, done_bytes: u64) -> Result<()> {
        let name = path.display().to_string();
        let reader = mandate_ingest::open(path, format).with_context(|| format!("cannot read {name}"))?;
        if reader.format() == Format::Xes {
            anyhow::bail!("{name}: an XES event log, not OCDS (use `mandate import` and `mandate check`)");
        }
        let index = self.files.len();
        self.files.push(FileStats {
            file: name.clone(),
            ..FileStats::default()
        });
        let mut reader = reader;
        while let Some(item) = reader.next() {
            if self.seq % 512 == 0 {
                self.bar.set_position(done_bytes + reader.bytes_read());
            }
            match item {
                Err(rejected) => {
                    let stats = &mut self.files[index];
                    stats.rejected += 1;
                    if stats.rejected <= SHOWN_REJECTIONS {
                        self.bar.suspend(|| eprintln!("rejected: {rejected}"));
                    }
                }
                Ok(sourced) => {
                    let Record::OcdsRelease(release) = sourced.record else {
                        continue;
                    };
                    self.files[index].records += 1;
                    let position = sourced.position.to_string();
                    self.release(release, index, &name, &position)?;
                }
            }
        }
        let stats = &self.files[index];
        if stats.rejected > SHOWN_REJECTIONS {
            let more = stats.rejected - SHOWN_REJECTIONS;
            self.bar.suspend(|| eprintln!("rejected: {name}: ... and {more} more"));
        }
        if reader.skipped() > 0 {
            let skipped = reader.skipped();
            self.bar.suspend(|| {
                eprintln!("note: {name}: {skipped} linked releases (only a URL) skipped: their content is elsewhere")
            });
        }
        Ok(())
    }

    fn release(&mut self, release: OcdsRelease, file: usize, name: &str, position: &str) -> Result<()> {
        let seq = self.seq;
        self.seq += 1;
        let record_id = format!("ocds:{}/{}", release.ocid, release.release_id);
        if !(self.compiled_flag || is_compiled(&release)) {
            self.notes.insert(seq, format!("release, {name}: {position}"));
            self.pending.entry(release.ocid.clone()).or_default().push((
                LoggedRelease {
                    log_index: seq,
                    record_id,
                    release,
                },
                file,
            ));
            return Ok(());
        }
        if !self.screened.insert(ocid_hash(&release.ocid)) {
            self.files[file].duplicates += 1;
            let ocid = release.ocid.clone();
            self.bar.suspend(|| {
                eprintln!("duplicate: {name}: {position}: ocid {ocid} was already screened from a compiled release; this one is skipped")
            });
            return Ok(());
        }
        let evidence = vec![Evidence {
            log_index: seq,
            record_id,
            note: format!("compiled release, {name}: {position}"),
        }];
        let findings =
            self.checker
                .check_compiled(&release.release, &release.ocid, Some(name), &|| evidence.clone());
        self.processes += 1;
        for finding in &findings {
            self.emit(finding, Some(file))?;
        }
        Ok(())
    }

    /// Merges and screens the plain releases, by ocid; those of a process
    /// already screened from its compiled release are left out, as `check` does.
    fn flush_pending(&mut self) -> Result<()> {
        for (ocid, group) in std::mem::take(&mut self.pending) {
            if self.screened.contains(&ocid_hash(&ocid)) {
                continue;
            }
            let file_of: HashMap<u64, usize> = group.iter().map(|(r, f)| (r.log_index, *f)).collect();
            let releases: Vec<LoggedRelease> = group.into_iter().map(|(r, _)| r).collect();
            let process = ContractingProcess::from_releases(ocid, releases);
            // Counted under the file of the latest release merged.
            let file = process
                .sources
                .last()
                .and_then(|r| file_of.get(&r.log_index))
                .copied()
                .unwrap_or(0);
            let name = self.files.get(file).map(|f| f.file.clone()).unwrap_or_default();
            let notes = &self.notes;
            let evidence = || {
                process
                    .sources
                    .iter()
                    .map(|r| Evidence {
                        log_index: r.log_index,
                        record_id: r.record_id.clone(),
                        note: notes.get(&r.log_index).cloned().unwrap_or_else(|| "release".into()),
                    })
                    .collect()
            };
            let findings = self
                .checker
                .check_compiled(&process.compiled, &process.ocid, Some(&name), &evidence);
            self.processes += 1;
            for finding in &findings {
                self.emit(finding, Some(file))?;
            }
        }
        self.notes.clear();
        Ok(())
    }

    fn emit(&mut self, finding: &Finding, file: Option<usize>) -> Result<()> {
        *self.counts.entry(finding.rule_id.clone()).or_default() += 1;
        if let Some(stats) = file.and_then(|f| self.files.get_mut(f)) {
            stats.findings += 1;
        }
        match self.json.as_mut() {
            Some(out) => {
                serde_json::to_writer(&mut *out, finding)?;
                out.write_all(b"\n")?;
            }
            None => {
                let examples = self.examples.entry(finding.rule_id.clone()).or_default();
                if examples.len() < SHOWN_FINDINGS {
                    examples.push(finding.clone());
                }
            }
        }
        Ok(())
    }
}

/// The printed summary: findings and coverage per indicator, per file, and
/// the publisher codes mapped or left unknown.
struct Summary<'a> {
    files: &'a [FileStats],
    processes: u64,
    counts: &'a BTreeMap<String, u64>,
    examples: &'a BTreeMap<String, Vec<Finding>>,
    coverage: &'a Coverage,
}

impl Summary<'_> {
    fn write(&self, out: &mut dyn Write) -> Result<()> {
        let records: u64 = self.files.iter().map(|f| f.records).sum();
        let rejected: u64 = self.files.iter().map(|f| f.rejected).sum();
        writeln!(
            out,
            "Screened {} contracting processes from {} records in {} files ({rejected} records rejected).",
            self.processes,
            records,
            self.files.len()
        )?;
        let indicators: Vec<_> = self
            .coverage
            .rules
            .iter()
            .filter(|(_, c)| !c.subject.is_empty())
            .collect();
        writeln!(out, "\nFindings per indicator:")?;
        let rows: Vec<Vec<String>> = indicators
            .iter()
            .map(|(id, c)| {
                vec![
                    (*id).clone(),
                    c.subject.clone(),
                    self.counts.get(*id).copied().unwrap_or(0).to_string(),
                    c.evaluated.to_string(),
                    c.not_applicable.values().sum::<u64>().to_string(),
                    aggregate(c, c.contributing),
                    aggregate(c, c.processes_not_used.values().sum()),
                ]
            })
            .collect();
        table(
            out,
            &[
                "indicator",
                "subject",
                "findings",
                "evaluated",
                "not applicable",
                "processes used",
                "not usable",
            ],
            &rows,
        )?;
        writeln!(out, "\nWhy an indicator could not be applied (count: reason):")?;
        for (id, c) in &indicators {
            if c.not_applicable.is_empty() && c.processes_not_used.is_empty() {
                continue;
            }
            writeln!(out, "  {id}")?;
            let subject = if c.subject == "contracting_process" {
                String::new()
            } else {
                format!("{}: ", c.subject.replace('_', " "))
            };
            reasons(out, &c.not_applicable, &subject)?;
            reasons(out, &c.processes_not_used, "process not usable: ")?;
        }
        // Many files: one row per folder (every file is in --coverage).
        let by_folder = self.files.len() > MAX_FILE_ROWS;
        let mut rows: BTreeMap<String, [u64; 5]> = BTreeMap::new();
        for f in self.files {
            let key = if by_folder {
                Path::new(&f.file)
                    .parent()
                    .map_or_else(|| ".".to_string(), |p| format!("{}/", p.display()))
            } else {
                f.file.clone()
            };
            let row = rows.entry(key).or_default();
            for (slot, n) in row.iter_mut().zip([1, f.records, f.rejected, f.duplicates, f.findings]) {
                *slot += n;
            }
        }
        writeln!(out, "\nPer source {}:", if by_folder { "folder" } else { "file" })?;
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(name, n)| {
                let mut row = vec![name];
                row.extend(n[usize::from(!by_folder)..].iter().map(u64::to_string));
                row
            })
            .collect();
        let header: &[&str] = if by_folder {
            &["folder", "files", "records", "rejected", "duplicates", "findings"]
        } else {
            &["file", "records", "rejected", "duplicates", "findings"]
        };
        table(out, header, &rows)?;
        if !self.coverage.codes.is_empty() {
            writeln!(out, "\nPublisher codes (mapped by a code list, or unknown to OCDS):")?;
            for (field, codes) in &self.coverage.codes {
                for (mapping, n) in &codes.mapped {
                    writeln!(out, "  {field}: mapped {mapping}: {n}")?;
                }
                for (value, n) in &codes.unknown {
                    writeln!(out, "  {field}: unknown `{value}`: {n}")?;
                }
            }
        }
        if !self.examples.is_empty() {
            writeln!(out, "\nExamples (every finding: --json):")?;
            for (id, findings) in self.examples {
                for f in findings {
                    writeln!(out, "  {id} [{} {}]: {}", f.subject.kind, f.subject.id, f.explanation)?;
                }
            }
        }
        Ok(())
    }
}

/// The processes columns, for aggregate indicators only.
fn aggregate(c: &mandate_check::RuleCoverage, n: u64) -> String {
    if c.subject == "contracting_process" {
        String::new()
    } else {
        n.to_string()
    }
}

/// Reasons, most frequent first.
fn reasons(out: &mut dyn Write, counts: &BTreeMap<String, u64>, prefix: &str) -> Result<()> {
    let mut sorted: Vec<_> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (reason, n) in sorted {
        writeln!(out, "    {n:>8}  {prefix}{reason}")?;
    }
    Ok(())
}

/// An aligned table (as `output::print_table`), to any writer.
fn table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut line = |cells: &[String]| -> std::io::Result<()> {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let w = widths.get(i).copied().unwrap_or(0);
                if !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit()) {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        writeln!(out, "  {}", parts.join("  ").trim_end())
    };
    line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>())?;
    for row in rows {
        line(row)?;
    }
    Ok(())
}
