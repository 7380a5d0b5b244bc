//! Deadline: a stage (or all work on the case) must happen within a time
//! limit of a start: another stage, or a date the case records.

use chrono::{DateTime, FixedOffset};
use mandate_rules::{Calendar, DayCount, DeadlineStart, Pack, Procedure, RuleCommon};
use serde_json::Value;

use super::{Case, LoggedEvent, Outcome};
use crate::days::{due_date, Within};
use crate::finding::{count, finding};
use mandate_model::Evidence;

/// The clock's start: when, what it is called, and the record that proves it.
struct Start {
    time: DateTime<FixedOffset>,
    label: String,
    evidence: Evidence,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn evaluate(
    pack: &Pack,
    procedure: &Procedure,
    rule: &RuleCommon,
    start: &DeadlineStart,
    stage: Option<&str>,
    within: Within,
    (day_count, calendar): (DayCount, Option<&Calendar>),
    case: &Case,
) -> Outcome {
    let start = match find_start(procedure, start, case) {
        Ok(start) => start,
        Err(reason) => return Outcome::NotApplicable(reason),
    };
    let target = match stage {
        Some(stage_id) => {
            let Some(stage) = procedure.stage(stage_id) else {
                return Outcome::NotApplicable(format!("stage `{stage_id}` not defined"));
            };
            match case.stage_events(stage).next() {
                Some(event) => event,
                None => return Outcome::NotApplicable(format!("case has no {stage_id} (yet)")),
            }
        }
        None => match case.events.last() {
            Some(event) => event,
            None => return Outcome::NotApplicable("case has no events".into()),
        },
    };
    let start_date = start.time.date_naive();
    let due = match due_date(start_date, within, day_count, calendar) {
        Ok(due) => due,
        Err(reason) => return Outcome::NotApplicable(reason),
    };
    let done = target.event.time.with_timezone(start.time.offset()).date_naive();
    if done <= due {
        return Outcome::Clean;
    }
    let late_days = (done - due).num_days();
    let what = match stage {
        Some(_) => format!("{} came", target.describe()),
        None => format!("work on the case continued until {},", target.describe()),
    };
    let limit = match within {
        Within::Days(0) => String::new(),
        Within::Days(n) => format!(
            "{n} {}day{} after ",
            if day_count == DayCount::Working {
                "working "
            } else {
                ""
            },
            if n == 1 { "" } else { "s" }
        ),
        Within::Months(m) => format!("{m} month{} after ", if m == 1 { "" } else { "s" }),
    };
    let explanation = format!(
        "In case {}, {what} {} after the deadline of {due} ({limit}{}).",
        case.case_id,
        count(late_days, "day"),
        start.label
    );
    let evidence = vec![
        start.evidence,
        target.evidence(format!("{} late", count(late_days, "day"))),
    ];
    Outcome::Finding(Box::new(finding(
        pack,
        rule,
        case.subject(),
        Some(target.event.time.to_rfc3339()),
        target.involved().into_iter().collect(),
        evidence,
        explanation,
    )))
}

fn find_start(procedure: &Procedure, start: &DeadlineStart, case: &Case) -> Result<Start, String> {
    match start {
        DeadlineStart::Stage(stage_id) => {
            let stage = procedure
                .stage(stage_id)
                .ok_or_else(|| format!("stage `{stage_id}` not defined"))?;
            let event: &LoggedEvent = case
                .stage_events(stage)
                .next()
                .ok_or_else(|| format!("case has no {stage_id}"))?;
            Ok(Start {
                time: event.event.time,
                label: event.describe(),
                evidence: event.evidence(format!("{} starts the clock", stage.title)),
            })
        }
        DeadlineStart::CaseAttribute(key) => {
            let (index, record_id, attributes) = case
                .case_record
                .as_ref()
                .ok_or_else(|| "case record not imported".to_string())?;
            let value = attributes
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("case has no `{key}`"))?;
            let time =
                DateTime::parse_from_rfc3339(value).map_err(|_| format!("case `{key}` is not a date"))?;
            Ok(Start {
                time,
                label: format!("the case's recorded {key} {}", time.format("%Y-%m-%d")),
                evidence: Evidence {
                    log_index: *index,
                    record_id: record_id.clone(),
                    note: format!("{key} = {value}"),
                },
            })
        }
    }
}
