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
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use mandate_check::{Checker, CompiledLine, ContractingProcess, Coverage, LoggedRelease};
use mandate_ingest::Format;
use mandate_model::{Evidence, Finding, OcdsRelease, Record};
use mandate_rules::{CodeList, Pack};

use crate::output::bytes_bar;
use crate::workspace::{CODELISTS_DIR, DEFAULT_CODELISTS, DEFAULT_PACKS};

/// Rejected records printed per file; all are counted.
const SHOWN_REJECTIONS: u64 = 10;
/// Wrong-typed members printed in all (each file's count is in the summary).
const SHOWN_WRONG_TYPES: u64 = 50;
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
        wrong_reported: 0,
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

/// Lines that are not compiled releases before the fast path gives up on a file.
const GIVE_UP_AFTER: usize = 1000;

/// How the fast path went for one file.
enum Fast {
    /// Every line was screened.
    Done,
    /// These lines (1-based) are for the general reader.
    Leftovers(HashSet<u64>),
    /// Nothing was screened: the general reader takes the whole file.
    NothingCompiled,
}

/// Bytes of whole lines handed to a parser at a time.
const BLOCK: usize = 1 << 20;

/// Whole lines of a file, with the number of the first.
struct Block {
    data: Vec<u8>,
    first_line: u64,
    /// Offset in the file just after the block, for the progress bar.
    end: u64,
}

impl Block {
    /// Each non-blank line's number and, when it is a compiled release, its typed view.
    fn parse(&self, all_compiled: bool) -> Vec<(u64, Option<CompiledLine<'_>>)> {
        let mut out = Vec::new();
        let lines = self.data.split(|b| *b == b'\n');
        for (i, line) in lines.enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let number = self.first_line + i as u64;
            out.push((number, mandate_check::read_compiled_line(line, all_compiled)));
        }
        out
    }
}

#[derive(Default)]
struct FastTally {
    screened: u64,
    leftovers: HashSet<u64>,
}

/// Reads `file` in blocks of whole lines until the end, or until the
/// receiver hangs up.
fn read_blocks(file: File, tx: &std::sync::mpsc::SyncSender<std::io::Result<Block>>) {
    let mut input = BufReader::with_capacity(1 << 20, file);
    let (mut line, mut offset) = (1u64, 0u64);
    loop {
        let mut data = Vec::with_capacity(BLOCK + (64 << 10));
        let mut read = 0;
        while data.len() < BLOCK {
            match input.read_until(b'\n', &mut data) {
                Ok(0) => break,
                Ok(n) => read += n,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if read == 0 {
            return;
        }
        if data.last() == Some(&b'\n') {
            data.pop();
        }
        let lines = data.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        offset += read as u64;
        let block = Block {
            data,
            first_line: line,
            end: offset,
        };
        line += lines;
        if tx.send(Ok(block)).is_err() {
            return;
        }
    }
}

fn is_gzip(path: &Path) -> Result<bool> {
    let mut magic = [0u8; 2];
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let n = file.read(&mut magic)?;
    Ok(n == 2 && magic == [0x1f, 0x8b])
}

/// What one input file gave.
#[derive(Default)]
struct FileStats {
    file: String,
    records: u64,
    rejected: u64,
    duplicates: u64,
    /// Members of the wrong JSON type (each is also in the coverage).
    wrong_types: u64,
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
    /// Wrong-typed members met so far, across files.
    wrong_reported: u64,
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
        let format = match format {
            Some(f) => f,
            None => mandate_ingest::sniff(path).with_context(|| format!("cannot read {name}"))?,
        };
        if format == Format::Xes {
            anyhow::bail!("{name}: an XES event log, not OCDS (use `mandate import` and `mandate check`)");
        }
        let index = self.files.len();
        self.files.push(FileStats {
            file: name.clone(),
            ..FileStats::default()
        });
        // Plain JSON Lines: compiled releases are read straight into the
        // indicators' typed view; the general reader gets only the lines
        // left over (packages, plain releases, bad lines).
        let mut only_lines = None;
        if format == Format::OcdsJsonLines && !is_gzip(path)? {
            match self.read_fast(path, index, &name, done_bytes)? {
                Fast::Done => return Ok(()),
                Fast::Leftovers(lines) => only_lines = Some(lines),
                Fast::NothingCompiled => {}
            }
        }
        let reader =
            mandate_ingest::open(path, Some(format)).with_context(|| format!("cannot read {name}"))?;
        let mut reader = reader;
        while let Some(item) = reader.next() {
            if self.seq % 512 == 0 {
                self.bar.set_position(done_bytes + reader.bytes_read());
            }
            let line = match &item {
                Ok(sourced) => sourced.position.line,
                Err(rejected) => rejected.position.line,
            };
            if let (Some(lines), Some(line)) = (&only_lines, line) {
                if !lines.contains(&line) {
                    continue; // screened by the fast path
                }
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
            self.bar
                .suspend(|| eprintln!("rejected: {name}: ... and {more} more"));
        }
        if reader.skipped() > 0 {
            let skipped = reader.skipped();
            self.bar.suspend(|| {
                eprintln!("note: {name}: {skipped} linked releases (only a URL) skipped: their content is elsewhere")
            });
        }
        Ok(())
    }

    /// The fast path over one plain JSON Lines file. A reader thread cuts
    /// the file into blocks of whole lines; blocks are parsed two at a time
    /// (one on a second thread), then screened in file order here, so the
    /// output does not depend on the threads.
    fn read_fast(&mut self, path: &Path, file: usize, name: &str, done_bytes: u64) -> Result<Fast> {
        let handle = File::open(path).with_context(|| format!("cannot read {name}"))?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<std::io::Result<Block>>(2);
        let all_compiled = self.compiled_flag;
        let mut tally = FastTally::default();
        std::thread::scope(|scope| -> Result<Fast> {
            scope.spawn(move || read_blocks(handle, &tx));
            let mut blocks = rx.iter();
            while let Some(first) = blocks.next() {
                let first = first.with_context(|| format!("{name}: cannot read"))?;
                let second = blocks
                    .next()
                    .transpose()
                    .with_context(|| format!("{name}: cannot read"))?;
                let (one, two) = std::thread::scope(|pair| {
                    let worker = second.as_ref().map(|b| pair.spawn(|| b.parse(all_compiled)));
                    let one = first.parse(all_compiled);
                    (one, worker.map(|w| w.join()))
                });
                self.screen_block(one, file, name, &mut tally)?;
                self.bar.set_position(done_bytes + first.end);
                if let Some(two) = two {
                    let two = two.map_err(|_| anyhow::anyhow!("{name}: a parsing thread stopped"))?;
                    self.screen_block(two, file, name, &mut tally)?;
                }
                if let Some(b) = &second {
                    self.bar.set_position(done_bytes + b.end);
                }
                if tally.screened == 0 && tally.leftovers.len() >= GIVE_UP_AFTER {
                    return Ok(Fast::NothingCompiled);
                }
            }
            Ok(if tally.leftovers.is_empty() {
                Fast::Done
            } else if tally.screened == 0 {
                Fast::NothingCompiled
            } else {
                Fast::Leftovers(std::mem::take(&mut tally.leftovers))
            })
        })
    }

    fn screen_block(
        &mut self,
        parsed: Vec<(u64, Option<CompiledLine<'_>>)>,
        file: usize,
        name: &str,
        tally: &mut FastTally,
    ) -> Result<()> {
        for (line, compiled) in parsed {
            let Some(compiled) = compiled else {
                tally.leftovers.insert(line);
                continue;
            };
            tally.screened += 1;
            self.files[file].records += 1;
            let seq = self.seq;
            self.seq += 1;
            if !self.screened.insert(ocid_hash(compiled.ocid())) {
                self.duplicate(
                    file,
                    name,
                    &format!("line {line} ({})", compiled.locator()),
                    compiled.ocid(),
                );
                continue;
            }
            let evidence = vec![Evidence {
                log_index: seq,
                record_id: format!("ocds:{}/{}", compiled.ocid(), compiled.release_id()),
                note: format!("compiled release, {name}: line {line} ({})", compiled.locator()),
            }];
            let position = format!("line {line} ({})", compiled.locator());
            let findings = self
                .checker
                .check_compiled_line(compiled, Some(name), &|| evidence.clone());
            self.report_wrong_types(file, name, &position);
            self.processes += 1;
            for finding in &findings {
                self.emit(finding, Some(file))?;
            }
        }
        Ok(())
    }

    /// Reports the wrong-typed members of the process just screened (the
    /// first few per file; all are counted).
    fn report_wrong_types(&mut self, file: usize, name: &str, position: &str) {
        let wrong = self.checker.wrong_types();
        if wrong.is_empty() {
            return;
        }
        let stats = &mut self.files[file];
        for w in wrong {
            stats.wrong_types += 1;
            self.wrong_reported += 1;
            if stats.wrong_types <= SHOWN_REJECTIONS && self.wrong_reported <= SHOWN_WRONG_TYPES {
                let line = format!(
                    "wrong type: {name}: {position}: field {}: {}, expected {}",
                    w.field, w.found, w.expected
                );
                self.bar.suspend(|| eprintln!("{line}"));
            }
        }
    }

    fn duplicate(&mut self, file: usize, name: &str, position: &str, ocid: &str) {
        self.files[file].duplicates += 1;
        self.bar.suspend(|| {
            eprintln!("duplicate: {name}: {position}: ocid {ocid} was already screened from a compiled release; this one is skipped")
        });
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
            self.duplicate(file, name, position, &release.ocid);
            return Ok(());
        }
        let evidence = vec![Evidence {
            log_index: seq,
            record_id,
            note: format!("compiled release, {name}: {position}"),
        }];
        let findings = self
            .checker
            .check_compiled(&release.release, &release.ocid, Some(name), &|| evidence.clone());
        self.report_wrong_types(file, name, position);
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
                        note: notes
                            .get(&r.log_index)
                            .cloned()
                            .unwrap_or_else(|| "release".into()),
                    })
                    .collect()
            };
            let findings =
                self.checker
                    .check_compiled(&process.compiled, &process.ocid, Some(&name), &evidence);
            let position = format!("ocid {} (merged releases)", process.ocid);
            self.report_wrong_types(file, &name, &position);
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
        let wrong: u64 = self.files.iter().map(|f| f.wrong_types).sum();
        writeln!(
            out,
            "Screened {} contracting processes from {} records in {} files ({rejected} records rejected, {wrong} members of the wrong type).",
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
        let mut rows: BTreeMap<String, [u64; 6]> = BTreeMap::new();
        for f in self.files {
            let key = if by_folder {
                Path::new(&f.file)
                    .parent()
                    .map_or_else(|| ".".to_string(), |p| format!("{}/", p.display()))
            } else {
                f.file.clone()
            };
            let row = rows.entry(key).or_default();
            for (slot, n) in
                row.iter_mut()
                    .zip([1, f.records, f.rejected, f.duplicates, f.wrong_types, f.findings])
            {
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
            &[
                "folder",
                "files",
                "records",
                "rejected",
                "duplicates",
                "wrong types",
                "findings",
            ]
        } else {
            &[
                "file",
                "records",
                "rejected",
                "duplicates",
                "wrong types",
                "findings",
            ]
        };
        table(out, header, &rows)?;
        if !self.coverage.codes.is_empty() {
            writeln!(
                out,
                "\nPublisher codes (mapped by a code list, or unknown to OCDS):"
            )?;
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
                    writeln!(
                        out,
                        "  {id} [{} {}]: {}",
                        f.subject.kind, f.subject.id, f.explanation
                    )?;
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
