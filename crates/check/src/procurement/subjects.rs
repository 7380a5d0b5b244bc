//! Book-keeping shared by aggregate indicators: the evidence kept for a
//! subject (a bounded number of its processes, so memory stays flat on
//! large inputs) and how organisations are named in explanations.

use std::collections::BTreeMap;

use mandate_model::{Evidence, Subject};

use super::process::Process;
use super::{Judgement, Verdict};

/// Contracting processes cited as evidence per aggregate subject.
pub(crate) const EVIDENCE_PER_SUBJECT: usize = 20;

/// The processes behind one aggregate subject.
#[derive(Debug, Default, Clone)]
pub(crate) struct Trail {
    pub evidence: Vec<Evidence>,
    cited: usize,
    /// The latest process date seen, for the finding's `occurred_at`.
    pub latest: Option<String>,
}

impl Trail {
    /// Notes a process; cites it while fewer than the limit are cited.
    pub(crate) fn add(&mut self, process: &Process<'_>) {
        if self.cited < EVIDENCE_PER_SUBJECT {
            self.evidence.extend((process.evidence)());
            self.cited += 1;
        }
        if let Some(date) = process.date() {
            if self.latest.as_ref().is_none_or(|l| *l < date) {
                self.latest = Some(date);
            }
        }
    }

    /// A judgement on `kind`/`id` citing this trail.
    pub(crate) fn judge(&self, kind: &str, id: &str, verdict: Verdict, involved: Vec<String>) -> Judgement {
        Judgement {
            subject: Subject {
                kind: kind.to_string(),
                id: id.to_string(),
            },
            verdict,
            evidence: self.evidence.clone(),
            occurred_at: self.latest.clone(),
            involved,
            source: None,
        }
    }
}

/// Names of organisations by id, as first seen, for explanations.
#[derive(Debug, Default)]
pub(crate) struct Names(BTreeMap<String, String>);

impl Names {
    pub(crate) fn note(&mut self, id: &str, name: Option<&str>) {
        if let Some(name) = name {
            if !self.0.contains_key(id) {
                self.0.insert(id.to_string(), name.to_string());
            }
        }
    }

    /// "City of X (GB-123)", or the id alone.
    pub(crate) fn label(&self, id: &str) -> String {
        match self.0.get(id) {
            Some(name) if name != id => format!("{name} ({id})"),
            _ => id.to_string(),
        }
    }
}
