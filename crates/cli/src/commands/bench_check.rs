//! `mandate bench check FILE...`: the checking engine's own speed, on event
//! logs read into memory first (reading is timed apart), in batch (every
//! case checked once, as `mandate check` does) and live (events fed one by
//! one in time order, each case re-checked as an event arrives, as
//! `mandate check --follow` does). For side-by-side runs with other
//! conformance checkers on the same log (bench/pm4py/).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use mandate_check::{Case, Checker, LoggedEvent};
use mandate_model::Record;

use super::follow::OpenCase;
use super::log::bench::peak_rss_kib;
use crate::output::print_table;

#[derive(clap::Args)]
pub struct Args {
    /// Event logs (XES, CSV, OCEL JSON, JSON Lines records).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Rule files or folders (default: packs/).
    #[arg(long = "rules", default_value = "packs")]
    pub rules: Vec<PathBuf>,
    /// Batch passes over all cases (the figure is their mean).
    #[arg(long, default_value_t = 5)]
    pub repeat: u32,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let packs: Vec<_> = mandate_rules::load_rules(&args.rules)?
        .sources
        .into_iter()
        .map(|s| s.pack)
        .collect();
    let started = Instant::now();
    let cases = read_cases(&args.files)?;
    let read = started.elapsed().as_secs_f64();
    let events: usize = cases.iter().map(|c| c.events.len()).sum();
    println!(
        "{} cases, {events} events read in {read:.2} s ({:.0} events/s); rules: {}",
        cases.len(),
        events as f64 / read,
        args.rules
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );

    let repeat = args.repeat.max(1);
    let mut findings = 0;
    let started = Instant::now();
    for _ in 0..repeat {
        let mut checker = Checker::new(&packs);
        findings = cases.iter().map(|case| checker.check_case(case).len()).sum();
    }
    let batch = started.elapsed().as_secs_f64() / f64::from(repeat);

    let started = Instant::now();
    let live_findings = live(&packs, &cases);
    let live = started.elapsed().as_secs_f64();

    let rate = |seconds: f64| format!("{:.0}", events as f64 / seconds);
    print_table(
        &["mode", "seconds", "events/s", "findings"],
        &[
            vec![
                "batch".into(),
                format!("{batch:.4}"),
                rate(batch),
                findings.to_string(),
            ],
            vec![
                "live".into(),
                format!("{live:.4}"),
                rate(live),
                live_findings.to_string(),
            ],
        ],
    );
    if let Some(kib) = peak_rss_kib() {
        println!("peak memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0);
    }
    Ok(ExitCode::SUCCESS)
}

/// Events in time order, each case re-checked as one of its events arrives,
/// as the live mode does (the clock is the arriving event's time, findings
/// settle for a day); the findings reported, once per rule and case.
fn live(packs: &[mandate_rules::Pack], cases: &[Case]) -> usize {
    let mut arrivals: Vec<(usize, &LoggedEvent)> = cases
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.events.iter().map(move |e| (i, e)))
        .collect();
    arrivals.sort_by_key(|(_, e)| (e.event.time, e.log_index));
    let mut open: Vec<OpenCase> = cases
        .iter()
        .map(|c| {
            OpenCase::new(Case {
                events: Vec::new(),
                ..c.clone()
            })
        })
        .collect();
    let settle = chrono::Duration::hours(24);
    let mut checker = Checker::new(packs);
    let mut reported = 0;
    let mut waiting: BTreeSet<usize> = BTreeSet::new();
    let mut day = None;
    for (i, event) in arrivals {
        let now = event.event.time;
        if day != Some(now.date_naive()) {
            day = Some(now.date_naive());
            for w in std::mem::take(&mut waiting) {
                if let Some(case) = open.get_mut(w) {
                    reported += case.check(&mut checker, now, settle).len();
                    if case.pending {
                        waiting.insert(w);
                    }
                }
            }
        }
        let Some(case) = open.get_mut(i) else { continue };
        case.case.events.push(event.clone());
        reported += case.check(&mut checker, now, settle).len();
        if case.pending {
            waiting.insert(i);
        }
    }
    // The stream has ended: nothing can undo what is still waiting.
    let end = chrono::DateTime::<chrono::FixedOffset>::MAX_UTC.fixed_offset();
    for w in waiting {
        if let Some(case) = open.get_mut(w) {
            reported += case.check(&mut checker, end, chrono::Duration::zero()).len();
        }
    }
    reported
}

fn read_cases(files: &[PathBuf]) -> Result<Vec<Case>> {
    let mut cases: HashMap<(String, String), Case> = HashMap::new();
    let mut index = 0;
    for file in files {
        let reader =
            mandate_ingest::open(file, None).with_context(|| format!("cannot read {}", file.display()))?;
        for item in reader {
            let Ok(sourced) = item else { continue };
            index += 1;
            match sourced.record {
                Record::ProcessCase(c) => {
                    let case = entry(&mut cases, &c.process, &c.case_id);
                    case.case_record = Some((index, format!("case:{}", c.case_id), c.attributes));
                }
                Record::ProcessEvent(event) => {
                    entry(&mut cases, &event.process, &event.case_id)
                        .events
                        .push(LoggedEvent {
                            log_index: index,
                            record_id: format!("e{index}"),
                            event,
                        });
                }
                _ => {}
            }
        }
    }
    let mut cases: Vec<Case> = cases.into_values().collect();
    cases.sort_by(|a, b| (&a.process, &a.case_id).cmp(&(&b.process, &b.case_id)));
    for case in &mut cases {
        case.sort_events();
    }
    Ok(cases)
}

fn entry<'a>(cases: &'a mut HashMap<(String, String), Case>, process: &str, case_id: &str) -> &'a mut Case {
    cases
        .entry((process.to_string(), case_id.to_string()))
        .or_insert_with(|| Case {
            process: process.to_string(),
            case_id: case_id.to_string(),
            ..Case::default()
        })
}
