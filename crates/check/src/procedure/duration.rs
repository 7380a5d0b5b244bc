//! Duration: the time between two stages must be at least (a public
//! comment period, a pre-appointment notice) or at most some number of days.

use mandate_rules::{Calendar, DayCount, Pack, Procedure, RuleCommon};

use super::{Case, Outcome};
use crate::days::days_between;
use crate::finding::{count, finding};

pub(super) struct Limits<'a> {
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub count: DayCount,
    pub calendar: Option<&'a Calendar>,
}

pub(super) fn evaluate(
    pack: &Pack,
    procedure: &Procedure,
    rule: &RuleCommon,
    (from, to): (&str, &str),
    limits: Limits<'_>,
    case: &Case,
) -> Outcome {
    let (Some(from_stage), Some(to_stage)) = (procedure.stage(from), procedure.stage(to)) else {
        return Outcome::NotApplicable(format!("stage `{from}` or `{to}` not defined"));
    };
    let Some(start) = case.stage_events(from_stage).next() else {
        return Outcome::NotApplicable(format!("case has no {from}"));
    };
    let Some(end) = case.stage_events(to_stage).next() else {
        return Outcome::NotApplicable(format!("case has no {to} (yet)"));
    };
    let start_day = start.event.time.date_naive();
    let end_day = end
        .event
        .time
        .with_timezone(start.event.time.offset())
        .date_naive();
    let days = match days_between(start_day, end_day, limits.count, limits.calendar) {
        Ok(days) => days,
        Err(reason) => return Outcome::NotApplicable(reason),
    };
    let lasted = match (limits.count, limits.calendar) {
        (DayCount::Calendar, _) => count(days, "day"),
        (DayCount::Working, Some(calendar)) => {
            format!("{} (calendar {})", count(days, "working day"), calendar.id)
        }
        (DayCount::Working, None) => format!("{} (Monday to Friday)", count(days, "working day")),
    };
    let short = limits
        .min
        .filter(|min| days < i64::from(*min))
        .map(|min| format!("at least {min}"));
    let long = limits
        .max
        .filter(|max| days > i64::from(*max))
        .map(|max| format!("at most {max}"));
    let Some(required) = short.or(long) else {
        return Outcome::Clean;
    };
    let explanation = format!(
        "In case {}, {} lasted {lasted}, from {} to {}; the procedure requires {required}.",
        case.case_id,
        rule.title.to_lowercase().trim_end_matches('.'),
        start.describe(),
        end.describe()
    );
    Outcome::Finding(Box::new(finding(
        pack,
        rule,
        case.subject(),
        Some(end.event.time.to_rfc3339()),
        end.involved().into_iter().collect(),
        vec![
            start.evidence(format!("{} starts the period", from_stage.title)),
            end.evidence(format!("{} after {lasted}", to_stage.title)),
        ],
        explanation,
    )))
}
