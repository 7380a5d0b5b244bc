//! Precedence: a stage may only happen after another one (payment only after
//! final approval). Same timestamp (or same day, at day granularity) counts as
//! "after": the log cannot say which came first, and a finding must be certain.

use mandate_rules::{Granularity, Pack, Procedure, RuleCommon};

use super::{Case, Outcome};
use crate::finding::finding;

pub(super) fn evaluate(
    pack: &Pack,
    procedure: &Procedure,
    rule: &RuleCommon,
    (stages, requires, granularity): (&[String], &str, Granularity),
    case: &Case,
) -> Outcome {
    let Some(required) = procedure.stage(requires) else {
        return Outcome::NotApplicable(format!("stage `{requires}` not defined"));
    };
    let guarded: Vec<_> = stages.iter().filter_map(|id| procedure.stage(id)).collect();
    let first_guarded = case
        .events
        .iter()
        .find(|e| guarded.iter().any(|s| s.activities.contains(&e.event.activity)));
    let Some(offending) = first_guarded else {
        return Outcome::NotApplicable(format!("case has none of: {}", stages.join(", ")));
    };
    let first_required = case.stage_events(required).next();
    match first_required {
        Some(approval) if in_order(approval, offending, granularity) => Outcome::Clean,
        later => {
            let mut evidence =
                vec![offending.evidence(format!("{} before {}", offending.event.activity, required.title))];
            let explanation = match later {
                Some(late) => {
                    evidence.push(late.evidence(format!("{} only afterwards", required.title)));
                    format!(
                        "In case {}, {} was recorded before the {} ({}), which the procedure requires first.",
                        case.case_id,
                        offending.describe(),
                        required.title.to_lowercase(),
                        late.describe()
                    )
                }
                None => format!(
                    "In case {}, {} was recorded but the case has no {} at all, which the procedure requires first.",
                    case.case_id,
                    offending.describe(),
                    required.title.to_lowercase()
                ),
            };
            let involved = offending.involved().into_iter().collect();
            Outcome::Finding(Box::new(finding(
                pack,
                rule,
                case.subject(),
                Some(offending.event.time.to_rfc3339()),
                involved,
                evidence,
                explanation,
            )))
        }
    }
}

/// Did `first` happen no later than `then`?
fn in_order(first: &super::LoggedEvent, then: &super::LoggedEvent, granularity: Granularity) -> bool {
    match granularity {
        Granularity::Instant => first.event.time <= then.event.time,
        Granularity::Day => first.event.time.date_naive() <= then.event.time.date_naive(),
    }
}
