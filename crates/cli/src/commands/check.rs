//! `mandate check`: every logged record against the workspace's rule packs.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use mandate_check::mandate::Mandate;
use mandate_check::{Case, Checker, ContractingProcess, Coverage, LoggedEvent, LoggedRelease};
use mandate_model::{Finding, Record, Severity};
use mandate_rules::{CodeList, Pack};
use mandate_store::{LoggedRow, Store};

use crate::output::{print_table, progress_bar};
use crate::workspace::{Workspace, CODELISTS_DIR};

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the findings, one JSON object per line. Default: WORKSPACE/findings.jsonl.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Check as of this date (YYYY-MM-DD): a case still waiting for a stage whose deadline
    /// passed before it is a finding. Without it, only what the records show is judged.
    #[arg(long, value_name = "DATE", conflicts_with = "follow")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Keep running: check records as `mandate import` appends them, and cases as their
    /// deadlines pass; print each new finding as a JSON line.
    #[arg(long)]
    pub follow: bool,
    /// With --follow: seconds between looks at the log.
    #[arg(long, default_value_t = 2.0, requires = "follow")]
    pub interval: f64,
    /// With --follow: take this as the current time (RFC 3339), running on from it, to
    /// replay a period; default: the system clock.
    #[arg(long, value_name = "TIME", requires = "follow")]
    pub now: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// With --follow: hours a finding about a moment waits for records that may still arrive
    /// late (a step entered the next morning) before it is reported.
    #[arg(long, default_value_t = 24, value_name = "HOURS", requires = "follow")]
    pub settle: u32,
    /// With --follow: drop from memory a case with no event for this many days and nothing
    /// pending (read back from the log if it gets a record again). Set it longer than the
    /// longest deadline of the rules. Default: keep every case.
    #[arg(long, value_name = "DAYS", requires = "follow")]
    pub forget_after: Option<u32>,
}

pub struct CheckOutcome {
    pub findings: Vec<Finding>,
    pub coverage: Coverage,
    pub findings_file: PathBuf,
}

/// What a check runs: the packs, and the code lists mapping publishers'
/// codes onto OCDS codes for the procurement indicators.
pub struct Rules {
    pub packs: Vec<Pack>,
    pub codelists: Vec<CodeList>,
    /// The packs' mandate, compiled to Cedar policies.
    pub mandate: Mandate,
}

impl Rules {
    /// The workspace's `rules/` and `rules/codelists/` (absent: no code lists).
    pub fn of(workspace: &Workspace) -> Result<Rules> {
        let packs = workspace.packs()?;
        let mandate = Mandate::compile(&packs)?;
        Ok(Rules {
            packs,
            codelists: mandate_rules::load_codelists(&workspace.path("rules").join(CODELISTS_DIR))?,
            mandate,
        })
    }
}

pub fn run(workspace_dir: &Path, args: Args) -> Result<ExitCode> {
    let workspace = Workspace::open(workspace_dir)?;
    let mut store = workspace.store()?;
    let rules = Rules::of(&workspace)?;
    if args.follow {
        let interval = std::time::Duration::try_from_secs_f64(args.interval)
            .map_err(|e| anyhow::anyhow!("--interval {}: {e}", args.interval))?;
        let timing = super::follow::Timing {
            interval,
            settle: chrono::Duration::hours(i64::from(args.settle)),
            forget_after: args
                .forget_after
                .map(|days| chrono::Duration::days(i64::from(days))),
        };
        return super::follow::run(&workspace, &rules, &timing, &super::follow::Clock::new(args.now));
    }
    let output = args.output.unwrap_or_else(|| workspace.path("findings.jsonl"));
    let outcome = check_all(&mut store, &rules, &output, args.as_of)?;
    print_summary(&outcome);
    Ok(ExitCode::SUCCESS)
}

/// Check everything, save the run, write the findings file.
pub fn check_all(
    store: &mut Store,
    rules: &Rules,
    output: &Path,
    as_of: Option<chrono::NaiveDate>,
) -> Result<CheckOutcome> {
    let packs = &rules.packs;
    let mut checker = Checker::new(packs)
        .with_codelists(&rules.codelists)
        .with_mandate(&rules.mandate);
    if let Some(date) = as_of {
        checker = checker.as_of(date);
    }
    let mut findings = Vec::new();
    let bar = progress_bar(store.log_size(), "records");
    bar.set_message("checking");

    let mut case: Option<Case> = None;
    store.for_each_record(&["process_case", "process_event"], |row| {
        bar.inc(1);
        let record: Record = serde_json::from_slice(&row.body)?;
        if case
            .as_ref()
            .is_some_and(|c| format!("{}/{}", c.process, c.case_id) != row.subject)
        {
            if let Some(mut done) = case.take() {
                done.sort_events();
                findings.extend(checker.check_case(&done));
            }
        }
        let current = case.get_or_insert_with(Case::default);
        add_to_case(current, row, record);
        Ok(())
    })?;
    if let Some(mut done) = case.take() {
        done.sort_events();
        findings.extend(checker.check_case(&done));
    }

    store.for_each_record(&["act"], |row| {
        bar.inc(1);
        if let Record::Act(act) = serde_json::from_slice(&row.body)? {
            findings.extend(checker.check_act(&act, row.log_index, &row.record_id));
        }
        Ok(())
    })?;

    // Releases of the current contracting process, and the file of its latest release
    // (coverage is counted per source file).
    let mut releases: Vec<LoggedRelease> = Vec::new();
    let mut source = String::new();
    store.for_each_record(&["ocds_release"], |row| {
        bar.inc(1);
        let Record::OcdsRelease(release) = serde_json::from_slice(&row.body)? else {
            return Ok(());
        };
        if releases.first().is_some_and(|r| r.release.ocid != release.ocid) {
            let group = std::mem::take(&mut releases);
            findings.extend(screen(&mut checker, group, &source));
        }
        source = row.source;
        releases.push(LoggedRelease {
            log_index: row.log_index,
            record_id: row.record_id,
            release,
        });
        Ok(())
    })?;
    findings.extend(screen(&mut checker, releases, &source));
    // Indicators that judge buyers, tenderers, or each process against all
    // the others, answer once every process has been seen.
    findings.extend(checker.finish());
    bar.finish_and_clear();

    mandate_check::sort_findings(&mut findings);
    write_jsonl(output, &findings)?;
    let coverage = checker.into_coverage();
    let pack_list: Vec<String> = packs
        .iter()
        .map(|p| format!("{}@{}", p.pack.id, p.pack.version))
        .collect();
    store.save_check_run(
        &super::now(),
        &pack_list.join(", "),
        &serde_json::to_string(&coverage)?,
        &findings,
    )?;
    Ok(CheckOutcome {
        findings,
        coverage,
        findings_file: output.to_path_buf(),
    })
}

pub(crate) fn add_to_case(case: &mut Case, row: LoggedRow, record: Record) {
    match record {
        Record::ProcessCase(c) => {
            case.process = c.process;
            case.case_id = c.case_id;
            case.case_record = Some((row.log_index, row.record_id, c.attributes));
        }
        Record::ProcessEvent(event) => {
            case.process.clone_from(&event.process);
            case.case_id.clone_from(&event.case_id);
            case.events.push(LoggedEvent {
                log_index: row.log_index,
                record_id: row.record_id,
                event,
            });
        }
        Record::OcdsRelease(_) | Record::Act(_) | Record::Commitment(_) => {}
    }
}

fn screen(checker: &mut Checker, releases: Vec<LoggedRelease>, source: &str) -> Vec<Finding> {
    let Some(first) = releases.first() else {
        return Vec::new();
    };
    let process = ContractingProcess::from_releases(first.release.ocid.clone(), releases);
    checker.check_contracting_process_from(&process, Some(source))
}

fn write_jsonl(path: &Path, findings: &[Finding]) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = BufWriter::new(file);
    for finding in findings {
        serde_json::to_writer(&mut out, finding)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Publisher codes the indicators met: mapped by a code list, or unknown.
fn print_codes(coverage: &Coverage) {
    let mapped: u64 = coverage.codes.values().flat_map(|c| c.mapped.values()).sum();
    let unknown: Vec<String> = coverage
        .codes
        .iter()
        .flat_map(|(field, c)| c.unknown.iter().map(move |(v, n)| format!("{field} {v:?} ({n})")))
        .collect();
    if mapped == 0 && unknown.is_empty() {
        return;
    }
    println!(
        "  publisher codes: {mapped} mapped by code lists; unknown to OCDS and unmapped: {}",
        if unknown.is_empty() {
            "none".to_string()
        } else {
            unknown.join(", ")
        }
    );
}

pub fn print_summary(outcome: &CheckOutcome) {
    let mut rows = Vec::new();
    for (rule_id, coverage) in &outcome.coverage.rules {
        let mut by_severity = [0usize; 5];
        for finding in outcome.findings.iter().filter(|f| &f.rule_id == rule_id) {
            if let Some(slot) = Severity::ALL.iter().position(|s| *s == finding.severity) {
                by_severity[slot] += 1;
            }
        }
        let severity = Severity::ALL
            .iter()
            .zip(by_severity)
            .find(|(_, n)| *n > 0)
            .map(|(s, _)| s.to_string())
            .unwrap_or_default();
        let not_applicable: u64 = coverage.not_applicable.values().sum();
        rows.push(vec![
            rule_id.clone(),
            coverage.subject.clone(),
            severity,
            coverage.flagged.to_string(),
            coverage.evaluated.to_string(),
            not_applicable.to_string(),
        ]);
    }
    println!("Findings per rule:");
    print_table(
        &[
            "rule",
            "subject",
            "severity",
            "findings",
            "evaluated",
            "not applicable",
        ],
        &rows,
    );
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = outcome.findings.iter().filter(|f| f.severity == *s).count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let by_severity = if by_severity.is_empty() {
        String::new()
    } else {
        format!(" ({})", by_severity.join(", "))
    };
    println!(
        "  total: {} findings{by_severity} -> {}",
        outcome.findings.len(),
        outcome.findings_file.display()
    );
    print_codes(&outcome.coverage);
    print_wrong_types(&outcome.coverage);
}

/// Members the indicators could not read: the indicators that need them
/// counted the process as not applicable.
fn print_wrong_types(coverage: &Coverage) {
    if coverage.wrong_types.is_empty() {
        return;
    }
    println!("  members of the wrong type (the indicators that need them were not applied):");
    for (what, n) in &coverage.wrong_types {
        println!("    {what}: {} (e.g. {})", n.count, n.examples.join(", "));
    }
}
