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
use std::io::{BufWriter, Read, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use mandate_check::{Checker, ContractingProcess, LoggedRelease};
use mandate_ingest::Format;
use mandate_model::{Evidence, Finding, OcdsRelease, Record};
use mandate_rules::{CodeList, Pack};

mod fast;
mod summary;

use crate::inputs;
use crate::output::{bytes_bar, report_repaired};
use crate::workspace::{CODELISTS_DIR, DEFAULT_CODELISTS, DEFAULT_PACKS, RULES_DIR, WORKSPACE_CONFIG};
use summary::Summary;

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
    /// OCDS files or folders (a folder: its .json/.jsonl files, optionally gzipped, recursively): release or record packages, releases, records.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Folder with rule packs (`*.toml`) and code lists (`codelists/*.toml`). Default: the workspace's
    /// `rules/` when run in (or with `-w`) a workspace, else the shipped ones.
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
    /// Also write every verdict, one JSON line per indicator and subject: flagged, clean, or not
    /// applicable with its reason (which processes lacked what).
    #[arg(long)]
    pub verdicts: Option<PathBuf>,
}

pub fn run(workspace: &Path, args: Args) -> Result<ExitCode> {
    if let Some(format) = args.format.filter(|f| !is_ocds(*f)) {
        anyhow::bail!("--format {format}: indicators read ocds-json or ocds-jsonl");
    }
    let in_workspace = workspace.join(WORKSPACE_CONFIG).exists();
    let rules = args
        .rules
        .clone()
        .or_else(|| in_workspace.then(|| workspace.join(RULES_DIR)));
    let (mut packs, codelists) = load_rules(rules.as_deref())?;
    // Packs of procedures only (event logs) have nothing to say here.
    packs.retain(|p| !p.indicators.is_empty());
    if packs.is_empty() {
        let from = rules
            .as_deref()
            .map_or("the shipped packs".into(), |d| d.display().to_string());
        anyhow::bail!("{from}: no rule pack with an [[indicator]], so there is nothing to screen with");
    }
    // Output files are created before the work, so a bad path fails at once.
    let coverage_file = match &args.coverage {
        Some(path) => Some(File::create(path).with_context(|| format!("cannot write {}", path.display()))?),
        None => None,
    };
    let mut checker = Checker::new(&packs).with_codelists(&codelists);
    let verdicts = match &args.verdicts {
        Some(path) => {
            checker = checker.keep_verdicts();
            let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
            Some(BufWriter::new(file))
        }
        None => None,
    };
    let paths = inputs::expand(&args.files, &[inputs::OCDS_FILES])?;
    let total: u64 = paths
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
        verdicts,
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
    for path in &paths {
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
    run.write_verdicts()?;
    if let Some(out) = run.json.as_mut() {
        out.flush()?;
    }
    if let Some(out) = run.verdicts.as_mut() {
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
    if let Some(file) = coverage_file {
        serde_json::to_writer_pretty(BufWriter::new(file), &coverage)?;
    }
    let summary = Summary {
        files: &files,
        processes,
        counts: &counts,
        examples: &examples,
        coverage: &coverage,
        unreadable,
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

/// Where a release was read: its file and its position there.
struct ReadAt {
    file: String,
    position: String,
}

impl std::fmt::Display for ReadAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "release, {}: {}", self.file, self.position)
    }
}

/// Where the releases merged into `process` were read, for messages about
/// the merged view: their positions in `file` when they all come from it
/// (`line 2 (release); line 5 (release), merged as ocid X`), else each
/// release's file and position.
fn merged_position(process: &ContractingProcess, notes: &HashMap<u64, ReadAt>, file: &str) -> String {
    let read: Vec<&ReadAt> = process
        .sources
        .iter()
        .filter_map(|r| notes.get(&r.log_index))
        .collect();
    let places: Vec<String> = if read.iter().all(|r| r.file == file) {
        read.iter().map(|r| r.position.clone()).collect()
    } else {
        read.iter().map(|r| r.to_string()).collect()
    };
    match places.as_slice() {
        [one] => format!("{one} (ocid {})", process.ocid),
        _ => format!("{}, merged as ocid {}", places.join("; "), process.ocid),
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

#[derive(Default)]
struct FastTally {
    screened: u64,
    leftovers: HashSet<u64>,
}

fn is_ocds(format: Format) -> bool {
    matches!(format, Format::OcdsJson | Format::OcdsJsonLines)
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
    /// `--verdicts`: every verdict, written as processes are screened.
    verdicts: Option<BufWriter<File>>,
    bar: ProgressBar,
    /// Records read so far, across files: the evidence's position.
    seq: u64,
    /// Hashes of the ocids screened from a compiled release.
    screened: HashSet<u64>,
    /// Plain releases by ocid, with the file they came from.
    pending: BTreeMap<String, Vec<(LoggedRelease, usize)>>,
    /// Where each pending release was read, by its sequence number.
    notes: HashMap<u64, ReadAt>,
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
            None => mandate_ingest::sniff(path)?,
        };
        if !is_ocds(format) {
            anyhow::bail!("{name}: {format}, not OCDS (use `mandate import` and `mandate check`)");
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
        let mut reader = mandate_ingest::open(path, Some(format))?;
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
        report_repaired(&self.bar, &name, reader.repaired());
        if reader.skipped() > 0 {
            let skipped = reader.skipped();
            self.bar.suspend(|| {
                eprintln!("note: {name}: {skipped} linked releases (only a URL) skipped: their content is elsewhere")
            });
        }
        Ok(())
    }

    /// The fast path over one plain JSON Lines file (see [`fast`]).
    fn read_fast(&mut self, path: &Path, file: usize, name: &str, done_bytes: u64) -> Result<Fast> {
        let handle = File::open(path).with_context(|| format!("cannot read {name}"))?;
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let codelists = self.checker.codelists();
        let mut tally = FastTally::default();
        fast::screen_in_order(
            handle,
            threads,
            fast::BLOCK,
            self.compiled_flag,
            codelists,
            |block| {
                self.checker.add_code_counts(&block.codes);
                self.screen_block(block, file, name, &mut tally)?;
                self.bar.set_position(done_bytes + block.end);
                let hopeless = tally.screened == 0 && tally.leftovers.len() >= GIVE_UP_AFTER;
                Ok(if hopeless {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                })
            },
        )
        .with_context(|| name.to_string())?;
        Ok(if tally.leftovers.is_empty() {
            Fast::Done
        } else if tally.screened == 0 {
            Fast::NothingCompiled
        } else {
            Fast::Leftovers(tally.leftovers)
        })
    }

    fn screen_block(
        &mut self,
        block: &fast::ParsedBlock,
        file: usize,
        name: &str,
        tally: &mut FastTally,
    ) -> Result<()> {
        for (in_block, compiled) in &block.parsed.get().lines {
            let line = block.first_line + in_block;
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
            // Written only for findings: most processes have none.
            let evidence = || {
                vec![Evidence {
                    log_index: seq,
                    record_id: format!("ocds:{}/{}", compiled.ocid(), compiled.release_id()),
                    note: format!("compiled release, {name}: line {line} ({})", compiled.locator()),
                }]
            };
            let findings = self.checker.check_compiled_line(compiled, Some(name), &evidence);
            self.write_verdicts()?;
            if !self.checker.wrong_types().is_empty() {
                let position = format!("line {line} ({})", compiled.locator());
                self.report_wrong_types(file, name, &position);
            }
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

    /// Writes the verdicts reached since the last call (`--verdicts`).
    fn write_verdicts(&mut self) -> Result<()> {
        if let Some(out) = self.verdicts.as_mut() {
            for verdict in self.checker.take_verdicts() {
                serde_json::to_writer(&mut *out, &verdict)?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    fn duplicate(&mut self, file: usize, name: &str, position: &str, ocid: &str) {
        self.files[file].duplicates += 1;
        self.bar.suspend(|| {
            eprintln!("duplicate: {name}: {position}: ocid {ocid} was already screened from an earlier compiled release; this one is skipped (files are screened as they stream: the first compiled release of a process counts; `mandate check` uses the latest by date)")
        });
    }

    fn release(&mut self, release: OcdsRelease, file: usize, name: &str, position: &str) -> Result<()> {
        let seq = self.seq;
        self.seq += 1;
        let record_id = format!("ocds:{}/{}", release.ocid, release.release_id);
        if !(self.compiled_flag || is_compiled(&release)) {
            self.notes.insert(
                seq,
                ReadAt {
                    file: name.to_string(),
                    position: position.to_string(),
                },
            );
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
        self.write_verdicts()?;
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
            self.report_conflicting_ids(&ocid, &releases);
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
                            .map_or_else(|| "release".into(), ReadAt::to_string),
                    })
                    .collect()
            };
            let findings =
                self.checker
                    .check_compiled(&process.compiled, &process.ocid, Some(&name), &evidence);
            self.write_verdicts()?;
            if !self.checker.wrong_types().is_empty() {
                let position = merged_position(&process, &self.notes, &name);
                self.report_wrong_types(file, &name, &position);
            }
            self.processes += 1;
            for finding in &findings {
                self.emit(finding, Some(file))?;
            }
        }
        self.notes.clear();
        Ok(())
    }

    /// Two releases of one process with the same release id but different
    /// content: the publisher changed a release in place (or reused an id).
    /// Both are merged, in date order; the reader should know.
    fn report_conflicting_ids(&self, ocid: &str, releases: &[LoggedRelease]) {
        let mut by_id: HashMap<&str, &LoggedRelease> = HashMap::new();
        for release in releases {
            let id = release.release.release_id.as_str();
            match by_id.get(id) {
                Some(first) if first.release.release != release.release.release => {
                    let at = |r: &LoggedRelease| {
                        self.notes
                            .get(&r.log_index)
                            .map(ReadAt::to_string)
                            .unwrap_or_default()
                    };
                    let (a, b) = (at(first), at(release));
                    self.bar.suspend(|| {
                        eprintln!("conflict: ocid {ocid}: release id {id} has two different contents ({a}; {b}); both merged in date order")
                    });
                }
                Some(_) => {}
                None => {
                    by_id.insert(id, release);
                }
            }
        }
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
