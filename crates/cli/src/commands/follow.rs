//! `mandate check --follow`: the checking engine, live. It tails the log
//! (records appended by `mandate import` in another process), keeps each
//! open case in memory, and prints a finding as a JSON line the moment it is
//! certain: when a record breaks a rule, and, driven by the clock rather
//! than by records, when a deadline passes with the awaited stage still
//! missing. Each rule is reported at most once per case.
//!
//! Certain means that no record still to come can undo it. Records may
//! arrive late (a step entered the next morning; a trip recorded by date
//! only, its approval later that day), so a finding about a moment is held
//! until the clock is `settle` past that moment, and reported only if the
//! case still breaks the rule then.
//!
//! On start it reads the log so far without printing what a batch `check`
//! would already have reported, then sweeps every open case for deadlines
//! already missed today.
//!
//! Memory: with `forget_after`, a case with nothing pending and no event
//! for that long is dropped; if a record for it comes later, its history is
//! read back from the log, and what it broke before counts as reported.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use mandate_check::{Case, Checker};
use mandate_model::{Finding, Record};

use super::check::{add_to_case, Rules};
use crate::workspace::Workspace;

/// The kinds the live engine judges (procurement indicators compare whole
/// sets of processes and stay with the batch `check`).
const KINDS: [&str; 3] = ["process_case", "process_event", "act"];

/// Now: the system clock, or a given start time that then runs with it
/// (to replay a period or to test).
pub struct Clock {
    started: Instant,
    start: Option<DateTime<FixedOffset>>,
}

impl Clock {
    pub fn new(start: Option<DateTime<FixedOffset>>) -> Clock {
        Clock {
            started: Instant::now(),
            start,
        }
    }

    /// Today's date, in the start time's offset (UTC for the system clock).
    fn today(&self) -> NaiveDate {
        match self.start {
            Some(start) => {
                let elapsed = chrono::Duration::from_std(self.started.elapsed()).unwrap_or_default();
                (start + elapsed).date_naive()
            }
            None => Utc::now().date_naive(),
        }
    }
}

impl Clock {
    fn now(&self) -> DateTime<FixedOffset> {
        let elapsed = chrono::Duration::from_std(self.started.elapsed()).unwrap_or_default();
        match self.start {
            Some(start) => start + elapsed,
            None => Utc::now().fixed_offset(),
        }
    }
}

#[derive(Default)]
pub(crate) struct OpenCase {
    pub(crate) case: Case,
    /// Rules already reported for this case.
    reported: BTreeSet<String>,
    /// A finding is waiting to settle.
    pub(crate) pending: bool,
}

impl OpenCase {
    /// The time of the case's latest event.
    fn latest(&self) -> Option<DateTime<FixedOffset>> {
        self.case.events.iter().map(|e| e.event.time).max()
    }

    pub(crate) fn new(case: Case) -> OpenCase {
        OpenCase {
            case,
            ..OpenCase::default()
        }
    }

    /// Check the case; the settled findings not reported before.
    pub(crate) fn check(
        &mut self,
        checker: &mut Checker,
        now: DateTime<FixedOffset>,
        settle: chrono::Duration,
    ) -> Vec<Finding> {
        self.case.sort_events();
        self.pending = false;
        let mut settled = Vec::new();
        for finding in checker.check_case(&self.case) {
            if self.reported.contains(&finding.rule_id) {
                continue;
            }
            let at = finding
                .occurred_at
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            if at.is_none_or(|at| at + settle <= now) {
                self.reported.insert(finding.rule_id.clone());
                settled.push(finding);
            } else {
                self.pending = true;
            }
        }
        settled
    }
}

/// How the follower waits: between looks at the log, for late records, and
/// before forgetting an idle case.
pub struct Timing {
    pub interval: Duration,
    pub settle: chrono::Duration,
    pub forget_after: Option<chrono::Duration>,
}

pub fn run(workspace: &Workspace, rules: &Rules, timing: &Timing, clock: &Clock) -> Result<ExitCode> {
    let settle = timing.settle;
    let store = workspace.store()?;
    let mut checker = Checker::new(&rules.packs).with_mandate(&rules.mandate);
    let mut cases: HashMap<String, OpenCase> = HashMap::new();
    let mut next = 0;
    let mut out = std::io::stdout().lock();
    let mut print = |findings: Vec<Finding>| -> Result<()> {
        for finding in findings {
            writeln!(out, "{}", serde_json::to_string(&finding)?)?;
        }
        out.flush()?;
        Ok(())
    };

    // Catch up: state from the log so far, findings a batch check reports already.
    let (touched, _) = read_new(&store, &mut next, &mut cases, &mut checker, false)?;
    for subject in &touched {
        if let Some(open) = cases.get_mut(subject) {
            open.check(&mut checker, clock.now(), settle);
        }
    }
    eprintln!(
        "Following the log from entry {next}: {} cases in memory; new findings are printed as JSON lines",
        cases.len()
    );

    let mut swept = None;
    loop {
        let today = clock.today();
        checker.set_as_of(Some(today));
        let now = clock.now();
        // The clock moved on to a new day: deadlines may have passed in any
        // open case; otherwise only cases holding a finding that may settle.
        let new_day = swept != Some(today);
        for open in cases.values_mut().filter(|c| new_day || c.pending) {
            print(open.check(&mut checker, now, settle))?;
        }
        swept = Some(today);
        if let Some(after) = timing.forget_after {
            let before = cases.len();
            cases.retain(|_, open| open.pending || open.latest().is_none_or(|latest| latest + after > now));
            if cases.len() != before {
                eprintln!("cases in memory: {}", cases.len());
            }
        }
        let recall = timing.forget_after.is_some();
        let (touched, on_acts) = read_new(&store, &mut next, &mut cases, &mut checker, recall)?;
        print(on_acts)?;
        for subject in &touched {
            if let Some(open) = cases.get_mut(subject) {
                print(open.check(&mut checker, now, settle))?;
            }
        }
        std::thread::sleep(timing.interval);
    }
}

/// A case not in memory, as logged before `before` (empty for a new case):
/// whatever it broke then counts as reported.
fn recall(
    store: &mandate_store::Store,
    subject: &str,
    before: u64,
    checker: &mut Checker,
) -> mandate_store::Result<OpenCase> {
    let mut open = OpenCase::default();
    store.for_each_record_of(&KINDS[..2], subject, |row| {
        if row.log_index < before {
            let record = serde_json::from_slice(&row.body)?;
            add_to_case(&mut open.case, row, record);
        }
        Ok(())
    })?;
    if !open.case.events.is_empty() {
        open.case.sort_events();
        open.reported = checker
            .check_case(&open.case)
            .into_iter()
            .map(|f| f.rule_id)
            .collect();
    }
    Ok(open)
}

/// Reads the records logged since `next`: acts are judged at once, events
/// and case records join their case (read back from the log first when
/// `recall` says cases may have been forgotten). Returns the cases touched
/// and the findings on acts.
fn read_new(
    store: &mandate_store::Store,
    next: &mut u64,
    cases: &mut HashMap<String, OpenCase>,
    checker: &mut Checker,
    recall_forgotten: bool,
) -> Result<(BTreeSet<String>, Vec<Finding>)> {
    let mut touched = BTreeSet::new();
    let mut on_acts = Vec::new();
    store.for_each_record_from(&KINDS, *next, |row| {
        *next = row.log_index + 1;
        match serde_json::from_slice(&row.body)? {
            Record::Act(act) => on_acts.extend(checker.check_act(&act, row.log_index, &row.record_id)),
            record => {
                touched.insert(row.subject.clone());
                if recall_forgotten && !cases.contains_key(&row.subject) {
                    let open = recall(store, &row.subject, row.log_index, checker)?;
                    cases.insert(row.subject.clone(), open);
                }
                let open = cases.entry(row.subject.clone()).or_default();
                add_to_case(&mut open.case, row, record);
            }
        }
        Ok(())
    })?;
    Ok((touched, on_acts))
}
