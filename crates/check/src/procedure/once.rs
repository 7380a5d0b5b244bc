//! A stage that may happen only once per case: paying a claim twice,
//! awarding a contract twice, deciding the same matter twice.

use mandate_rules::{Pack, Procedure, RuleCommon};

use super::{Case, Outcome};
use crate::finding::finding;

pub(super) fn evaluate(
    pack: &Pack,
    procedure: &Procedure,
    rule: &RuleCommon,
    stage: &str,
    case: &Case,
) -> Outcome {
    let Some(stage) = procedure.stage(stage) else {
        return Outcome::NotApplicable(format!("stage `{stage}` not defined"));
    };
    let mut events = case.stage_events(stage);
    let Some(first) = events.next() else {
        return Outcome::NotApplicable(format!("case has no {}", stage.id));
    };
    let again: Vec<_> = events.collect();
    let Some(second) = again.first() else {
        return Outcome::Clean;
    };
    let times = again.len() + 1;
    let explanation = format!(
        "In case {}, the {} happened {times} times ({} first, then {}), and it may happen only once.",
        case.case_id,
        stage.title.to_lowercase(),
        first.describe(),
        second.describe()
    );
    let mut evidence = vec![first.evidence(format!("{} (first)", stage.title))];
    evidence.extend(again.iter().map(|e| e.evidence(format!("{} again", stage.title))));
    let involved = [first, second]
        .iter()
        .filter_map(|e| e.event.resource.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Outcome::Finding(Box::new(finding(
        pack,
        rule,
        case.subject(),
        Some(second.event.time.to_rfc3339()),
        involved,
        evidence,
        explanation,
    )))
}
