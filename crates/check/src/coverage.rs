//! Coverage: for each rule, how many subjects it was evaluated on and why it
//! could not be evaluated on the others. Without it, "no findings" could mean
//! "clean" or "no data", and a supervisor cannot tell which.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RuleCoverage {
    pub pack: String,
    /// Subjects the rule was evaluated on (whether or not it fired).
    pub evaluated: u64,
    /// Subjects where it fired.
    pub flagged: u64,
    /// Subjects it could not be evaluated on, by reason (e.g. "no tender.tenderPeriod.startDate").
    pub not_applicable: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Coverage {
    pub rules: BTreeMap<String, RuleCoverage>,
}

impl Coverage {
    pub(crate) fn register(&mut self, rule_id: &str, pack: &str) {
        self.rules.entry(rule_id.to_string()).or_default().pack = pack.to_string();
    }

    pub(crate) fn evaluated(&mut self, rule_id: &str, flagged: bool) {
        let rule = self.rules.entry(rule_id.to_string()).or_default();
        rule.evaluated += 1;
        rule.flagged += u64::from(flagged);
    }

    pub(crate) fn not_applicable(&mut self, rule_id: &str, reason: &str) {
        let rule = self.rules.entry(rule_id.to_string()).or_default();
        *rule.not_applicable.entry(reason.to_string()).or_default() += 1;
    }
}
