//! Separation of duties: nobody runs a matter end to end. No one person may
//! perform two of the separated stages of one case (who prepares does not
//! approve; who nominates does not inspect or vote).

use mandate_rules::{Pack, Procedure, RuleCommon};

use super::{Case, LoggedEvent, Outcome};
use crate::finding::finding;

pub(super) fn evaluate(
    pack: &Pack,
    procedure: &Procedure,
    rule: &RuleCommon,
    stages: &[String],
    case: &Case,
) -> Outcome {
    // (stage title, its events) for the separated stages the case has.
    let mut present: Vec<(&str, Vec<&LoggedEvent>)> = Vec::new();
    for id in stages {
        let Some(stage) = procedure.stage(id) else {
            return Outcome::NotApplicable(format!("stage `{id}` not defined"));
        };
        let events: Vec<&LoggedEvent> = case.stage_events(stage).collect();
        if !events.is_empty() {
            present.push((stage.title.as_str(), events));
        }
    }
    if present.len() < 2 {
        return Outcome::NotApplicable(format!("case has fewer than two of: {}", stages.join(", ")));
    }
    for (i, (first_title, first_events)) in present.iter().enumerate() {
        for (second_title, second_events) in &present[i + 1..] {
            for a in first_events {
                let Some(person) = a.event.resource.as_deref() else {
                    continue;
                };
                if let Some(b) = second_events
                    .iter()
                    .find(|b| b.event.resource.as_deref() == Some(person))
                {
                    let explanation = format!(
                        "In case {}, {person} performed both the {} ({}) and the {} ({}), which the procedure keeps in separate hands.",
                        case.case_id,
                        first_title.to_lowercase(),
                        a.describe(),
                        second_title.to_lowercase(),
                        b.describe()
                    );
                    return Outcome::Finding(Box::new(finding(
                        pack,
                        rule,
                        case.subject(),
                        Some(b.event.time.to_rfc3339()),
                        vec![person.to_string()],
                        vec![
                            a.evidence(format!("{first_title} by {person}")),
                            b.evidence(format!("{second_title} by {person}")),
                        ],
                        explanation,
                    )));
                }
            }
        }
    }
    // Clean only if every performer is known: an unrecorded one might be the same person.
    let unknown = present
        .iter()
        .flat_map(|(_, events)| events)
        .find(|e| e.event.resource.is_none());
    match unknown {
        Some(event) => Outcome::NotApplicable(format!(
            "who performed '{}' is not recorded",
            event.event.activity
        )),
        None => Outcome::Clean,
    }
}
