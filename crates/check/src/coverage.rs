//! Coverage: for each rule, how many subjects it was evaluated on and why it
//! could not be evaluated on the others, overall and per source file; and
//! which publisher codes were mapped onto OCDS codes and which stayed
//! unknown. Without it, "no findings" could mean "clean" or "no data", and a
//! supervisor cannot tell which.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::procurement::WrongType;

/// Distinct unknown values kept per field; the rest are counted together.
const UNKNOWN_VALUES_KEPT: usize = 50;
const OTHER_VALUES: &str = "(other values)";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RuleCoverage {
    pub pack: String,
    /// Subjects the rule was evaluated on (whether or not it fired).
    pub evaluated: u64,
    /// Subjects where it fired.
    pub flagged: u64,
    /// Subjects it could not be evaluated on, by reason (e.g. "no tender.tenderPeriod.startDate").
    pub not_applicable: BTreeMap<String, u64>,
    /// What the rule judges: `contracting_process`, `buyer`, `tenderer`...
    /// (empty for procedure rules, which judge cases).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// Aggregate indicators: contracting processes whose data went into the
    /// judgement of some subject...
    #[serde(default, skip_serializing_if = "is_zero")]
    pub contributing: u64,
    /// ... and those that could not be used, by reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub processes_not_used: BTreeMap<String, u64>,
    /// The same counts per source file, always in contracting processes: for
    /// aggregate indicators those used and not used (`not_applicable`), since
    /// one buyer's judgement draws on many files.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_source: BTreeMap<String, SourceCoverage>,
}

/// Coverage of one rule within one source file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCoverage {
    pub evaluated: u64,
    pub flagged: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub contributing: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub not_applicable: BTreeMap<String, u64>,
}

/// Publisher codes of one field: mapped through a code list, or unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCoverage {
    /// `"qualified → valid (armenia)"` → occurrences.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mapped: BTreeMap<String, u64>,
    /// Values neither in the OCDS code list nor in a code list → occurrences.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unknown: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Coverage {
    pub rules: BTreeMap<String, RuleCoverage>,
    /// By field (`bids.details[].status`...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, CodeCoverage>,
    /// Members the indicators read that had the wrong JSON type, or a date
    /// that is not a date-time, by field and problem
    /// (`tender.value.amount: a string, expected a number`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub wrong_types: BTreeMap<String, WrongTypeCount>,
}

/// How often one field had one wrong type, and the first processes where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrongTypeCount {
    pub count: u64,
    /// The first few ocids, to find the records.
    pub examples: Vec<String>,
}

/// Example processes kept per wrong-typed field.
const WRONG_TYPE_EXAMPLES: usize = 3;

/// Applies `f` to the entry for `key`, creating it (and allocating the
/// key) only when missing.
fn with<V: Default>(map: &mut BTreeMap<String, V>, key: &str, f: impl FnOnce(&mut V)) {
    match map.get_mut(key) {
        Some(value) => f(value),
        None => {
            let mut value = V::default();
            f(&mut value);
            map.insert(key.to_string(), value);
        }
    }
}

/// Counts `n` more of an unknown `value`; past the first
/// [`UNKNOWN_VALUES_KEPT`] distinct values, under [`OTHER_VALUES`].
fn count_unknown(unknown: &mut BTreeMap<String, u64>, value: &str, n: u64) {
    let key = if unknown.contains_key(value) || unknown.len() < UNKNOWN_VALUES_KEPT {
        value
    } else {
        OTHER_VALUES
    };
    with(unknown, key, |m| *m += n);
}

// Called for every indicator on every subject: keys are allocated only the
// first time they are seen.
impl RuleCoverage {
    pub(crate) fn evaluated_in(&mut self, source: Option<&str>, flagged: bool) {
        self.evaluated += 1;
        self.flagged += u64::from(flagged);
        if let Some(source) = source {
            with(&mut self.by_source, source, |s| {
                s.evaluated += 1;
                s.flagged += u64::from(flagged);
            });
        }
    }

    pub(crate) fn not_applicable_in(&mut self, source: Option<&str>, reason: &str) {
        with(&mut self.not_applicable, reason, |n| *n += 1);
        if let Some(source) = source {
            with(&mut self.by_source, source, |s| {
                with(&mut s.not_applicable, reason, |n| *n += 1)
            });
        }
    }

    /// A process an aggregate indicator could not use: counted apart from
    /// the subjects (buyers...) it could not judge.
    pub(crate) fn not_used_in(&mut self, source: Option<&str>, reason: &str) {
        with(&mut self.processes_not_used, reason, |n| *n += 1);
        if let Some(source) = source {
            with(&mut self.by_source, source, |s| {
                with(&mut s.not_applicable, reason, |n| *n += 1)
            });
        }
    }

    pub(crate) fn contributing_in(&mut self, source: Option<&str>) {
        self.contributing += 1;
        if let Some(source) = source {
            with(&mut self.by_source, source, |s| s.contributing += 1);
        }
    }
}

impl RuleCoverage {
    /// [`RuleCoverage::by_source`] added up per folder (`dir/`), for
    /// summaries of inputs spread over many files.
    pub fn by_folder(&self) -> BTreeMap<String, SourceCoverage> {
        let mut folders: BTreeMap<String, SourceCoverage> = BTreeMap::new();
        for (file, s) in &self.by_source {
            let folder = match file.rsplit_once('/') {
                Some((dir, _)) => format!("{dir}/"),
                None => "./".to_string(),
            };
            let f = folders.entry(folder).or_default();
            f.evaluated += s.evaluated;
            f.flagged += s.flagged;
            f.contributing += s.contributing;
            for (reason, n) in &s.not_applicable {
                *f.not_applicable.entry(reason.clone()).or_default() += n;
            }
        }
        folders
    }
}

/// `bids.details[3].value` → `bids.details[].value`.
fn without_indices(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut in_index = false;
    for c in field.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push(c);
            }
            ']' => {
                in_index = false;
                out.push(c);
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Coverage {
    pub(crate) fn register(&mut self, rule_id: &str, pack: &str) {
        self.rules.entry(rule_id.to_string()).or_default().pack = pack.to_string();
    }

    pub(crate) fn set_subject(&mut self, rule_id: &str, subject: &str) {
        self.rules.entry(rule_id.to_string()).or_default().subject = subject.to_string();
    }

    pub(crate) fn evaluated(&mut self, rule_id: &str, flagged: bool) {
        self.evaluated_in(rule_id, None, flagged);
    }

    pub(crate) fn not_applicable(&mut self, rule_id: &str, reason: &str) {
        self.not_applicable_in(rule_id, None, reason);
    }

    pub(crate) fn evaluated_in(&mut self, rule_id: &str, source: Option<&str>, flagged: bool) {
        with(&mut self.rules, rule_id, |rule| {
            rule.evaluated_in(source, flagged)
        });
    }

    pub(crate) fn not_applicable_in(&mut self, rule_id: &str, source: Option<&str>, reason: &str) {
        with(&mut self.rules, rule_id, |rule| {
            rule.not_applicable_in(source, reason)
        });
    }

    /// Adds `other`'s publisher-code counts to these.
    pub(crate) fn add_codes(&mut self, other: &Coverage) {
        for (field, counts) in &other.codes {
            with(&mut self.codes, field, |mine| {
                for (mapping, n) in &counts.mapped {
                    with(&mut mine.mapped, mapping, |m| *m += n);
                }
                for (value, n) in &counts.unknown {
                    count_unknown(&mut mine.unknown, value, *n);
                }
            });
        }
    }

    pub(crate) fn code_mapped(&mut self, field: &str, mapping: String) {
        *self
            .codes
            .entry(field.to_string())
            .or_default()
            .mapped
            .entry(mapping)
            .or_default() += 1;
    }

    /// Counts the wrong-typed members of process `ocid`, their array
    /// indices left out so that one field is one entry.
    pub(crate) fn wrong_types(&mut self, ocid: &str, wrong: &[WrongType]) {
        for w in wrong {
            let key = format!(
                "{}: {}, expected {}",
                without_indices(&w.field),
                w.found,
                w.expected
            );
            let entry = self.wrong_types.entry(key).or_default();
            entry.count += 1;
            if entry.examples.len() < WRONG_TYPE_EXAMPLES && !entry.examples.iter().any(|e| e == ocid) {
                entry.examples.push(ocid.to_string());
            }
        }
    }

    pub(crate) fn code_unknown(&mut self, field: &str, value: &str) {
        with(&mut self.codes, field, |codes| {
            count_unknown(&mut codes.unknown, value, 1)
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_counted_per_field_without_indices() {
        let mut coverage = Coverage::default();
        let wrong = |field: &str| WrongType {
            field: field.into(),
            found: "a string",
            expected: "a number",
        };
        coverage.wrong_types(
            "ocds-1",
            &[
                wrong("bids.details[0].value.amount"),
                wrong("bids.details[1].value.amount"),
            ],
        );
        coverage.wrong_types("ocds-2", &[wrong("bids.details[7].value.amount")]);
        let entry = &coverage.wrong_types["bids.details[].value.amount: a string, expected a number"];
        assert_eq!(entry.count, 3);
        assert_eq!(entry.examples, ["ocds-1", "ocds-2"]);
    }

    #[test]
    fn sources_add_up_per_folder() {
        let mut rule = RuleCoverage::default();
        rule.evaluated_in(Some("data/a/1.json"), true);
        rule.evaluated_in(Some("data/a/2.json"), false);
        rule.not_applicable_in(Some("data/a/2.json"), "no bids");
        rule.not_applicable_in(Some("data/b/3.json"), "no bids");
        rule.contributing_in(Some("top.json"));
        let folders = rule.by_folder();
        assert_eq!(folders.keys().collect::<Vec<_>>(), ["./", "data/a/", "data/b/"]);
        let a = &folders["data/a/"];
        assert_eq!((a.evaluated, a.flagged, a.not_applicable["no bids"]), (2, 1, 1));
        assert_eq!(folders["data/b/"].not_applicable["no bids"], 1);
        assert_eq!(folders["./"].contributing, 1);
    }
}
