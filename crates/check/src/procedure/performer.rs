//! Performer: only the roles a stage lists may perform it.

use mandate_rules::{Pack, Procedure, RuleCommon};

use super::{Case, Outcome};
use crate::finding::finding;

pub(super) fn evaluate(
    pack: &Pack,
    procedure: &Procedure,
    rule: &RuleCommon,
    stage_id: &str,
    case: &Case,
) -> Outcome {
    let Some(stage) = procedure.stage(stage_id) else {
        return Outcome::NotApplicable(format!("stage `{stage_id}` not defined"));
    };
    let mut seen = false;
    for event in case.stage_events(stage) {
        seen = true;
        let Some(role) = &event.event.role else {
            continue;
        };
        if !stage.performed_by.contains(role) {
            let explanation = format!(
                "In case {}, {} was performed by the role {role}, but only {} may perform the {}.",
                case.case_id,
                event.describe(),
                stage.performed_by.join(" or "),
                stage.title.to_lowercase()
            );
            return Outcome::Finding(Box::new(finding(
                pack,
                rule,
                case.subject(),
                Some(event.event.time.to_rfc3339()),
                event.involved().into_iter().collect(),
                vec![event.evidence(format!("performed by {role}"))],
                explanation,
            )));
        }
    }
    if seen {
        Outcome::Clean
    } else {
        Outcome::NotApplicable(format!("case has no {stage_id}"))
    }
}
