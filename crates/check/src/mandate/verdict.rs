//! What the mandate says of one act, and the findings that follow from it.

use mandate_model::{Act, Evidence, Finding, LegalBasis, Severity, Subject};
use sha2::{Digest, Sha256};

/// The answer for one act.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The position the act was judged in, once resolved.
    pub position: Option<String>,
    /// The powers (or delegations) that permit it; empty when refused.
    pub permitted_by: Vec<Permission>,
    /// Every rule the act breaks; empty when permitted and nothing forbids it.
    pub violations: Vec<Violation>,
    /// The Cedar policies that decided, with their text (only from `Mandate::explain`).
    pub policies: Vec<(String, String)>,
}

/// A power that covers the act, and how its conditions were met.
#[derive(Debug, Clone, PartialEq)]
pub struct Permission {
    pub power: String,
    pub title: String,
    pub delegation: Option<String>,
    pub legal_basis: LegalBasis,
    /// "amount 250,000.00 CNY within the limit of 500,000.00 CNY" ... (only from `Mandate::explain`)
    pub met: Vec<String>,
}

/// One rule the act breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub rule_id: String,
    /// `pack-id@version`.
    pub pack: String,
    pub title: String,
    pub severity: Severity,
    pub legal_basis: LegalBasis,
    pub explanation: String,
}

impl Verdict {
    pub fn is_permitted(&self) -> bool {
        self.violations.is_empty()
    }

    /// Findings citing the act's entry in the log.
    pub fn findings(&self, act: &Act, log_index: u64, record_id: &str) -> Vec<Finding> {
        let subject = Subject {
            kind: "act".into(),
            id: act.id.clone(),
        };
        let mut involved = vec![match &self.position {
            Some(position) => format!("{} ({position})", act.actor),
            None => act.actor.clone(),
        }];
        involved.extend(act.reviewer.iter().map(|r| format!("{r} (reviewer)")));
        involved.extend(act.counterparty.iter().map(|c| format!("{c} (counterparty)")));
        self.violations
            .iter()
            .map(|v| {
                let mut hasher = Sha256::new();
                for part in [v.rule_id.as_str(), "act", act.id.as_str()] {
                    hasher.update(part.as_bytes());
                    hasher.update([0]);
                }
                hasher.update(log_index.to_be_bytes());
                let id: String = hasher.finalize()[..8]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                Finding {
                    id,
                    rule_id: v.rule_id.clone(),
                    pack: v.pack.clone(),
                    rule_title: v.title.clone(),
                    legal_basis: v.legal_basis.clone(),
                    severity: v.severity,
                    subject: subject.clone(),
                    occurred_at: Some(act.time.to_rfc3339()),
                    involved: involved.clone(),
                    evidence: vec![Evidence {
                        log_index,
                        record_id: record_id.to_string(),
                        note: format!("{} by {}", act.matter.replace('_', " "), act.actor),
                    }],
                    explanation: v.explanation.clone(),
                }
            })
            .collect()
    }
}
