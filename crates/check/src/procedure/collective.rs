//! Collective decision: the stage is decided by a meeting (the first event's
//! `meeting` attribute) that meets the meeting rule: quorum, a majority of
//! all members, the chief speaking last, reasons for dissent.

use mandate_model::Meeting;
use mandate_rules::{MeetingRule, Pack, Procedure, RuleCommon};

use super::{Case, Outcome};
use crate::finding::finding;
use crate::meeting::Tally;

pub(super) fn evaluate(
    pack: &Pack,
    procedure: &Procedure,
    rule: &RuleCommon,
    stage_id: &str,
    meeting_rule: &MeetingRule,
    case: &Case,
) -> Outcome {
    let Some(stage) = procedure.stage(stage_id) else {
        return Outcome::NotApplicable(format!("stage `{stage_id}` not defined"));
    };
    let Some(event) = case.stage_events(stage).next() else {
        return Outcome::NotApplicable(format!("case has no {stage_id}"));
    };
    let failures = match event.event.attributes.get("meeting") {
        None => vec!["no meeting is recorded".to_string()],
        Some(value) => match serde_json::from_value::<Meeting>(value.clone()) {
            Ok(meeting) => Tally::of(&meeting).failures(meeting_rule),
            Err(e) => {
                return Outcome::NotApplicable(format!("attribute `meeting` is not a meeting record: {e}"))
            }
        },
    };
    if failures.is_empty() {
        return Outcome::Clean;
    }
    let explanation = format!(
        "In case {}, the {} ({}) was not a valid collective decision under {}: {}.",
        case.case_id,
        stage.title.to_lowercase(),
        event.describe(),
        meeting_rule.legal_basis,
        failures.join("; ")
    );
    Outcome::Finding(Box::new(finding(
        pack,
        rule,
        case.subject(),
        Some(event.event.time.to_rfc3339()),
        event.involved().into_iter().collect(),
        vec![event.evidence(failures.join("; "))],
        explanation,
    )))
}
