//! Deadline: a stage (or all work on the case) must happen within a time
//! limit of a start: another stage, or a date the case records.

use chrono::{DateTime, FixedOffset, NaiveDate};
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
    as_of: Option<NaiveDate>,
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
                None => {
                    return match as_of {
                        Some(as_of) => still_open(
                            pack,
                            rule,
                            case,
                            start,
                            stage,
                            within,
                            (day_count, calendar),
                            as_of,
                        ),
                        None => Outcome::NotApplicable(format!("case has no {stage_id} (yet)")),
                    }
                }
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
    let limit = limit_text(within, day_count);
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

/// "5 working days after ", "2 months after ", or nothing for a date itself.
fn limit_text(within: Within, day_count: DayCount) -> String {
    match within {
        Within::Days(0) => String::new(),
        Within::Days(n) => {
            let unit = if day_count == DayCount::Working {
                "working day"
            } else {
                "day"
            };
            format!("{} after ", count(i64::from(n), unit))
        }
        Within::Months(m) => format!("{} after ", count(i64::from(m), "month")),
    }
}

/// A case that has not reached `stage` by `as_of`: a finding once the
/// deadline has passed, not applicable before.
#[allow(clippy::too_many_arguments)]
fn still_open(
    pack: &Pack,
    rule: &RuleCommon,
    case: &Case,
    start: Start,
    stage: &mandate_rules::Stage,
    within: Within,
    (day_count, calendar): (DayCount, Option<&Calendar>),
    as_of: NaiveDate,
) -> Outcome {
    let due = match due_date(start.time.date_naive(), within, day_count, calendar) {
        Ok(due) => due,
        Err(reason) => return Outcome::NotApplicable(reason),
    };
    if as_of <= due {
        return Outcome::NotApplicable(format!("case has no {} yet, and it is not due", stage.id));
    }
    let explanation = format!(
        "In case {}, {} has still not happened on {as_of}, {} after the deadline of {due} ({}{}).",
        case.case_id,
        stage.title.to_lowercase(),
        count((as_of - due).num_days(), "day"),
        limit_text(within, day_count),
        start.label
    );
    Outcome::Finding(Box::new(finding(
        pack,
        rule,
        case.subject(),
        None,
        Vec::new(),
        vec![start.evidence],
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
