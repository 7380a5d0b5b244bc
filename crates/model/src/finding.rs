//! Findings: what a check concludes, with everything needed to explain it.

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered from least to most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The law, regulation or policy a rule enforces, quoted in every finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    /// Instrument: "Codice della Strada (D.Lgs. 285/1992)", "organisation policy".
    pub source: String,
    /// Article or section, when there is one: "art. 201(1)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// The provision in a sentence.
    pub text: String,
    /// Where to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl std::fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.article {
            Some(article) => write!(f, "{}, {}", self.source, article),
            None => f.write_str(&self.source),
        }
    }
}

/// What a finding is about: a process case or a contracting process.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Subject {
    /// `process_case` or `contracting_process`.
    pub kind: String,
    /// Case key (`process/case id`) or OCDS `ocid`.
    pub id: String,
}

/// One record that proves a finding, with its position in the transparency log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    /// Index of the record's entry in the transparency log.
    pub log_index: u64,
    /// The record's readable id (see `Record::record_id`).
    pub record_id: String,
    /// What this record shows, in a few words.
    pub note: String,
}

/// A conclusion of a check. Every field is needed to explain it to a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id: a hash of rule, subject and evidence, so reruns give the same id.
    pub id: String,
    pub rule_id: String,
    /// The rule pack the rule comes from.
    pub pack: String,
    pub rule_title: String,
    pub legal_basis: LegalBasis,
    pub severity: Severity,
    pub subject: Subject,
    /// When the deviation happened (RFC 3339), for charts and ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    /// People or roles involved, as named in the records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub involved: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// One sentence a non-programmer understands.
    pub explanation: String,
}
