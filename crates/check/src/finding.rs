//! Building findings with a stable id.

use mandate_model::{Evidence, Finding, Subject};
use mandate_rules::{Pack, RuleCommon};
use sha2::{Digest, Sha256};

/// A finding of `rule` on `subject`. The id hashes rule, subject and
/// evidence, so the same deviation keeps the same id across runs.
pub fn finding(
    pack: &Pack,
    rule: &RuleCommon,
    subject: Subject,
    occurred_at: Option<String>,
    involved: Vec<String>,
    evidence: Vec<Evidence>,
    explanation: String,
) -> Finding {
    let mut hasher = Sha256::new();
    for part in [rule.id.as_str(), subject.kind.as_str(), subject.id.as_str()] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    for e in &evidence {
        hasher.update(e.log_index.to_be_bytes());
    }
    let digest = hasher.finalize();
    let id: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Finding {
        id,
        rule_id: rule.id.clone(),
        pack: format!("{}@{}", pack.pack.id, pack.pack.version),
        rule_title: rule.title.clone(),
        legal_basis: rule.legal_basis.clone(),
        severity: rule.severity,
        subject,
        occurred_at,
        involved,
        evidence,
        explanation,
    }
}

/// "1 day", "3 days", "2 processes": a count with its noun, for explanations.
pub(crate) fn count(n: i64, noun: &str) -> String {
    if n == 1 || n == -1 {
        format!("{n} {noun}")
    } else if noun.ends_with('s') {
        format!("{n} {noun}es")
    } else if let Some(stem) = noun
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'o', 'u']))
    {
        format!("{n} {stem}ies")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod count_tests {
    #[test]
    fn singular_only_for_one() {
        assert_eq!(super::count(1, "day"), "1 day");
        assert_eq!(super::count(0, "day"), "0 days");
        assert_eq!(super::count(2, "working day"), "2 working days");
        assert_eq!(super::count(2, "process"), "2 processes");
        assert_eq!(super::count(1, "process"), "1 process");
        assert_eq!(super::count(3, "procuring entity"), "3 procuring entities");
        assert_eq!(super::count(3, "day"), "3 days");
    }
}
