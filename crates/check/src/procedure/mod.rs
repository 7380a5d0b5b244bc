//! Checking a process case against its procedure template. One module per
//! rule kind; each returns at most one finding per case and rule, so counts
//! read as "cases that deviate".

mod collective;
mod deadline;
mod duration;
mod once;
mod performer;
mod precedence;
mod separation;

use std::collections::BTreeMap;

use mandate_model::{Attributes, Evidence, Finding, ProcessEvent, Subject};
use mandate_rules::{Calendar, MeetingRule, Pack, Procedure, ProcedureRule, RuleKind, Stage};

use crate::coverage::Coverage;

/// One event as read back from the log.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub log_index: u64,
    pub record_id: String,
    pub event: ProcessEvent,
}

impl LoggedEvent {
    pub(crate) fn evidence(&self, note: impl Into<String>) -> Evidence {
        Evidence {
            log_index: self.log_index,
            record_id: self.record_id.clone(),
            note: note.into(),
        }
    }

    /// "Declaration FINAL_APPROVED by SUPERVISOR on 2017-01-09 (SUPERVISOR)"
    pub(crate) fn describe(&self) -> String {
        let date = self.event.time.format("%Y-%m-%d %H:%M");
        format!("'{}' on {date}", self.event.activity)
    }

    pub(crate) fn involved(&self) -> Option<String> {
        match (&self.event.resource, &self.event.role) {
            (Some(resource), Some(role)) => Some(format!("{resource} ({role})")),
            (Some(resource), None) => Some(resource.clone()),
            (None, Some(role)) => Some(role.clone()),
            (None, None) => None,
        }
    }
}

/// A case with its attributes and events, events in time order (ties keep log order).
#[derive(Debug, Clone, Default)]
pub struct Case {
    pub process: String,
    pub case_id: String,
    /// Log index and attributes of the case record, if it was imported.
    pub case_record: Option<(u64, String, Attributes)>,
    pub events: Vec<LoggedEvent>,
}

impl Case {
    /// Put events in the order the checks assume.
    pub fn sort_events(&mut self) {
        self.events.sort_by_key(|e| (e.event.time, e.log_index));
    }

    pub(crate) fn subject(&self) -> Subject {
        Subject {
            kind: "process_case".into(),
            id: format!("{}/{}", self.process, self.case_id),
        }
    }

    /// Events recording a stage, in time order.
    pub(crate) fn stage_events<'a>(&'a self, stage: &'a Stage) -> impl Iterator<Item = &'a LoggedEvent> {
        self.events
            .iter()
            .filter(move |e| stage.activities.contains(&e.event.activity))
    }
}

/// Definitions procedure rules refer to by id, from any pack of the rules.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub calendars: BTreeMap<String, Calendar>,
    pub meeting_rules: BTreeMap<String, MeetingRule>,
    /// The date the check is made as of: a case still waiting for a stage
    /// past its deadline on that date is a finding.
    pub as_of: Option<chrono::NaiveDate>,
}

impl Shared {
    pub fn of(packs: &[Pack]) -> Shared {
        Shared {
            calendars: packs
                .iter()
                .flat_map(|p| &p.calendars)
                .map(|c| (c.id.clone(), c.clone()))
                .collect(),
            meeting_rules: packs
                .iter()
                .flat_map(|p| &p.meeting_rules)
                .map(|m| (m.id.clone(), m.clone()))
                .collect(),
            as_of: None,
        }
    }

    /// The calendar a rule names; a name that does not resolve is reported
    /// rather than silently counted Monday to Friday.
    fn calendar(&self, id: Option<&str>) -> Result<Option<&Calendar>, String> {
        match id {
            None => Ok(None),
            Some(id) => self
                .calendars
                .get(id)
                .map(Some)
                .ok_or_else(|| format!("calendar `{id}` is not defined")),
        }
    }
}

pub(crate) fn check(
    pack: &Pack,
    procedure: &Procedure,
    case: &Case,
    shared: &Shared,
    coverage: &mut Coverage,
) -> Vec<Finding> {
    procedure
        .rules
        .iter()
        .filter_map(|rule| {
            let outcome = evaluate(pack, procedure, rule, case, shared);
            match &outcome {
                Outcome::NotApplicable(reason) => coverage.not_applicable(&rule.common.id, reason),
                Outcome::Clean => coverage.evaluated(&rule.common.id, false),
                Outcome::Finding(_) => coverage.evaluated(&rule.common.id, true),
            }
            match outcome {
                Outcome::Finding(f) => Some(*f),
                _ => None,
            }
        })
        .collect()
}

/// What one rule concluded on one case.
pub(crate) enum Outcome {
    Clean,
    Finding(Box<Finding>),
    /// The case lacks what the rule needs (the reason is counted in coverage).
    NotApplicable(String),
}

fn evaluate(
    pack: &Pack,
    procedure: &Procedure,
    rule: &ProcedureRule,
    case: &Case,
    shared: &Shared,
) -> Outcome {
    match &rule.kind {
        RuleKind::Precedence {
            stages,
            requires,
            granularity,
        } => precedence::evaluate(
            pack,
            procedure,
            &rule.common,
            (stages, requires, *granularity),
            case,
        ),
        RuleKind::Deadline {
            start,
            stage,
            within_days,
            within_months,
            days,
            calendar,
        } => {
            let calendar = match shared.calendar(calendar.as_deref()) {
                Ok(calendar) => calendar,
                Err(reason) => return Outcome::NotApplicable(reason),
            };
            let within = match (within_days, within_months) {
                (Some(d), _) => crate::days::Within::Days(*d),
                (None, Some(m)) => crate::days::Within::Months(*m),
                (None, None) => return Outcome::NotApplicable("rule gives no time limit".into()),
            };
            deadline::evaluate(
                pack,
                procedure,
                &rule.common,
                start,
                stage.as_deref(),
                within,
                (*days, calendar),
                case,
                shared.as_of,
            )
        }
        RuleKind::Performer { stage } => performer::evaluate(pack, procedure, &rule.common, stage, case),
        RuleKind::SeparationOfDuties { stages } => {
            separation::evaluate(pack, procedure, &rule.common, stages, case)
        }
        RuleKind::Once { stage } => once::evaluate(pack, procedure, &rule.common, stage, case),
        RuleKind::Duration {
            from,
            to,
            min_days,
            max_days,
            days,
            calendar,
        } => {
            let calendar = match shared.calendar(calendar.as_deref()) {
                Ok(calendar) => calendar,
                Err(reason) => return Outcome::NotApplicable(reason),
            };
            let limits = duration::Limits {
                min: *min_days,
                max: *max_days,
                count: *days,
                calendar,
            };
            duration::evaluate(pack, procedure, &rule.common, (from, to), limits, case)
        }
        RuleKind::CollectiveDecision { stage, meeting_rule } => {
            match shared.meeting_rules.get(meeting_rule) {
                Some(meeting_rule) => {
                    collective::evaluate(pack, procedure, &rule.common, stage, meeting_rule, case)
                }
                None => Outcome::NotApplicable(format!("meeting rule `{meeting_rule}` is not defined")),
            }
        }
    }
}
