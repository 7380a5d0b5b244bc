//! Procurement red flags on OCDS contracting processes. One file per
//! indicator behind the small [`RedFlag`] trait: `observe` each contracting
//! process, then `finish`. A per-process indicator answers in `observe`; an
//! aggregate one (per buyer, per tenderer, per buyer–supplier pair, per group
//! of bidders, or per process against a threshold learnt from all of them)
//! takes notes in `observe` and answers in `finish`.
//!
//! Each process is read once into a typed view ([`model`]) and its codes
//! mapped through the publisher's code list ([`codes`]) before any
//! indicator looks at it. Amounts are compared only within one currency.

mod codes;
mod compile;
mod lenient;
mod line;
mod model;
mod process;
mod stats;

mod all_except_winner_disqualified;
mod bid_ratio;
mod bid_rotation;
mod complaint_rate;
mod contract_value_increase;
mod direct_award;
mod disqualified_bids;
mod heterogeneous_supplier;
mod identical_bid_prices;
mod kinds;
mod late_bid_won;
mod lowest_bid_disqualified;
mod new_supplier;
mod repeat_supplier;
mod short_tender_period;
mod single_bid;
mod split_purchases;
mod subjects;
mod supplier_concentration;
mod unsuccessful_bids;

pub use compile::{ContractingProcess, LoggedRelease};
pub use line::{read_compiled_line, CompiledLine};
pub(crate) use model::Release;
pub use model::WrongType;
pub(crate) use process::Process;

use mandate_model::{Evidence, Finding, Subject};
use mandate_rules::codelist::{PROCUREMENT_METHODS, TENDER_STATUSES};
use mandate_rules::{CodeList, Indicator, Pack};

use crate::coverage::{Coverage, RuleCoverage};
use crate::finding::finding;
use codes::unknown_code;
use lenient::J;

/// Subject kind of per-process indicators.
pub(crate) const CONTRACTING_PROCESS: &str = "contracting_process";

/// What an indicator says about one subject.
pub(crate) enum Verdict {
    Clean,
    /// The red flag is raised.
    Flag(Flag),
    /// A field the indicator needs is missing or unusable (counted in coverage).
    NotApplicable(String),
    /// Aggregate indicators: the process was noted; the verdict comes in `finish`.
    Noted,
}

impl Verdict {
    pub(crate) fn flag(explanation: String) -> Verdict {
        Verdict::Flag(Flag {
            explanation,
            involved: Vec::new(),
        })
    }

    pub(crate) fn na(reason: impl Into<String>) -> Verdict {
        Verdict::NotApplicable(reason.into())
    }
}

/// A raised flag: the sentence that explains it and who was involved
/// (beyond the buyer, which every process finding names).
pub(crate) struct Flag {
    pub explanation: String,
    pub involved: Vec<String>,
}

/// A verdict an aggregate indicator reaches in `finish`.
pub(crate) struct Judgement {
    pub subject: Subject,
    pub verdict: Verdict,
    pub evidence: Vec<Evidence>,
    pub occurred_at: Option<String>,
    pub involved: Vec<String>,
    /// The source file, when the subject is one contracting process.
    pub source: Option<String>,
}

/// A procurement red flag.
pub(crate) trait RedFlag {
    /// What the indicator judges (findings' `subject.kind`).
    fn subject(&self) -> &'static str {
        CONTRACTING_PROCESS
    }
    /// Looks at one contracting process; `Err` with the reason when the
    /// process lacks what the indicator needs (not applicable).
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String>;
    /// Verdicts that need every process first.
    fn finish(&mut self) -> Vec<Judgement> {
        Vec::new()
    }
}

/// One indicator's verdict on one subject, for callers that want every
/// verdict and not only the findings: which processes were not applicable,
/// and why (`mandate indicators --verdicts`, the documentation's examples).
/// As JSON: `{"rule_id", "subject", "outcome": "flagged" | "clean" |
/// "not_applicable", "detail": explanation or reason}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerdictRecord {
    pub rule_id: String,
    pub subject: Subject,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    /// With the finding's explanation.
    Flagged(String),
    Clean,
    /// With the reason.
    NotApplicable(String),
}

/// One indicator of one pack, with its running state and its coverage
/// (kept here rather than looked up by rule id for every process).
pub(crate) struct Screen<'p> {
    pack: &'p Pack,
    indicator: &'p Indicator,
    flag: Box<dyn RedFlag + 'p>,
    coverage: RuleCoverage,
}

impl<'p> Screen<'p> {
    pub(crate) fn new(pack: &'p Pack, indicator: &'p Indicator) -> Screen<'p> {
        let flag = kinds::build(&indicator.kind);
        let coverage = RuleCoverage {
            pack: pack.pack.id.clone(),
            subject: flag.subject().to_string(),
            ..RuleCoverage::default()
        };
        Screen {
            pack,
            indicator,
            flag,
            coverage,
        }
    }

    pub(crate) fn into_coverage(self) -> RuleCoverage {
        self.coverage
    }

    pub(crate) fn rule_id(&self) -> &str {
        &self.indicator.common.id
    }

    /// Screens one process; a finding when a per-process indicator fires.
    pub(crate) fn observe(
        &mut self,
        process: &Process<'_>,
        log: Option<&mut Vec<VerdictRecord>>,
    ) -> Option<Finding> {
        if !self.indicator.ocid_prefixes.is_empty()
            && !self
                .indicator
                .ocid_prefixes
                .iter()
                .any(|p| process.ocid.starts_with(p.as_str()))
        {
            return None; // another publisher's rule: not counted at all
        }
        let verdict = match self.excluded(process) {
            Some(reason) => Verdict::NotApplicable(reason),
            None => self.flag.observe(process).unwrap_or_else(Verdict::NotApplicable),
        };
        let coverage = &mut self.coverage;
        let subject = || Subject {
            kind: CONTRACTING_PROCESS.into(),
            id: process.ocid.to_string(),
        };
        let outcome = match verdict {
            Verdict::Noted => {
                coverage.contributing_in(process.source);
                return None;
            }
            Verdict::Clean => {
                coverage.evaluated_in(process.source, false);
                Outcome::Clean
            }
            Verdict::NotApplicable(reason) => {
                if self.flag.subject() == CONTRACTING_PROCESS {
                    coverage.not_applicable_in(process.source, &reason);
                } else {
                    coverage.not_used_in(process.source, &reason);
                }
                Outcome::NotApplicable(reason)
            }
            Verdict::Flag(flag) => {
                coverage.evaluated_in(process.source, true);
                let mut involved: Vec<String> = process.buyer_label().into_iter().collect();
                involved.extend(flag.involved);
                let found = finding(
                    self.pack,
                    &self.indicator.common,
                    subject(),
                    process.date(),
                    involved,
                    (process.evidence)(),
                    flag.explanation.clone(),
                );
                if let Some(log) = log {
                    log.push(self.record(subject(), Outcome::Flagged(flag.explanation)));
                }
                return Some(found);
            }
        };
        if let Some(log) = log {
            log.push(self.record(subject(), outcome));
        }
        None
    }

    /// The aggregate verdicts, once every process was observed.
    pub(crate) fn finish(&mut self, mut log: Option<&mut Vec<VerdictRecord>>) -> Vec<Finding> {
        let mut findings = Vec::new();
        for judgement in self.flag.finish() {
            let source = judgement.source.as_deref();
            let outcome = match judgement.verdict {
                Verdict::Clean => {
                    self.coverage.evaluated_in(source, false);
                    Outcome::Clean
                }
                Verdict::NotApplicable(reason) => {
                    self.coverage.not_applicable_in(source, &reason);
                    Outcome::NotApplicable(reason)
                }
                Verdict::Flag(flag) => {
                    self.coverage.evaluated_in(source, true);
                    let mut involved = judgement.involved;
                    involved.extend(flag.involved);
                    findings.push(finding(
                        self.pack,
                        &self.indicator.common,
                        judgement.subject.clone(),
                        judgement.occurred_at,
                        involved,
                        judgement.evidence,
                        flag.explanation.clone(),
                    ));
                    Outcome::Flagged(flag.explanation)
                }
                Verdict::Noted => continue,
            };
            if let Some(log) = log.as_deref_mut() {
                log.push(self.record(judgement.subject, outcome));
            }
        }
        findings
    }

    fn record(&self, subject: Subject, outcome: Outcome) -> VerdictRecord {
        VerdictRecord {
            rule_id: self.indicator.common.id.clone(),
            subject,
            outcome,
        }
    }

    /// The filters every kind shares; `Some(reason)` when the process is out.
    fn excluded(&self, process: &Process<'_>) -> Option<String> {
        let indicator = self.indicator;
        if let Some(status) = process.tender_status() {
            if indicator.excluded_tender_statuses.iter().any(|s| s == status) {
                return Some(format!("tender status `{status}` (excluded)"));
            }
            // An unknown status may be an exclusion written another way
            // (`Cancelled`): fail closed.
            if !indicator.excluded_tender_statuses.is_empty() && !TENDER_STATUSES.contains(&status) {
                return Some(unknown_code(codes::TENDER_STATUS, status));
            }
        }
        if !indicator.procurement_methods.is_empty() {
            match process.method() {
                J::Absent => return Some("no tender.procurementMethod".into()),
                J::Wrong(kind) => return Some(format!("tender.procurementMethod is {kind}")),
                J::Ok(method) if !PROCUREMENT_METHODS.contains(&method.as_ref()) => {
                    return Some(unknown_code(codes::METHOD, method));
                }
                J::Ok(method) if !indicator.procurement_methods.iter().any(|m| m == method) => {
                    return Some(format!("procurement method `{method}` not covered"));
                }
                J::Ok(_) => {}
            }
        }
        let details = process.method_details();
        if !indicator.procurement_method_details.is_empty() {
            match details {
                None => return Some("no tender.procurementMethodDetails".into()),
                Some(d) if !indicator.procurement_method_details.iter().any(|x| x == d) => {
                    return Some(format!("procurement method details `{d}` not covered"));
                }
                Some(_) => {}
            }
        }
        match details {
            Some(d)
                if indicator
                    .excluded_procurement_method_details
                    .iter()
                    .any(|x| x == d) =>
            {
                Some(format!("procurement method details `{d}` (excluded)"))
            }
            _ => None,
        }
    }
}

/// The code list that applies to a process: the one claiming the longest
/// matching ocid prefix.
pub(crate) fn codelist_for<'c>(lists: &'c [CodeList], ocid: &str) -> Option<&'c CodeList> {
    lists
        .iter()
        .filter_map(|l| {
            l.codelist
                .ocid_prefixes
                .iter()
                .filter(|p| ocid.starts_with(p.as_str()))
                .map(|p| p.len())
                .max()
                .map(|len| (len, l))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, l)| l)
}

/// Notes the wrong-typed members of `release` and maps its codes with the
/// publisher's code list, counting them in `coverage`: what every release
/// goes through once before it is screened.
pub(crate) fn prepare(
    release: &mut Release<'_>,
    ocid: &str,
    codelists: &[CodeList],
    coverage: &mut Coverage,
) -> Vec<WrongType> {
    let wrong = release.wrong_types();
    codes::normalize(release, codelist_for(codelists, ocid), coverage);
    wrong
}

/// Screens one prepared compiled release with every screen.
pub(crate) fn screen_release<'a>(
    run: Run<'_, '_>,
    release: &'a Release<'a>,
    ocid: &'a str,
    source: Option<&'a str>,
    evidence: &'a dyn Fn() -> Vec<Evidence>,
) -> Vec<Finding> {
    let Run { screens, mut log } = run;
    let process = Process {
        ocid,
        release,
        source,
        evidence,
    };
    screens
        .iter_mut()
        .filter_map(|screen| screen.observe(&process, log.as_deref_mut()))
        .collect()
}

/// What screening a process updates: the screens' state and coverage, and
/// the verdict log when one is kept.
pub(crate) struct Run<'r, 'p> {
    pub screens: &'r mut [Screen<'p>],
    pub log: Option<&'r mut Vec<VerdictRecord>>,
}

/// `value` as a count: integers, or floats that are whole numbers.
pub(crate) fn as_count(value: f64) -> Option<u64> {
    (value.fract() == 0.0 && value >= 0.0 && value <= u64::MAX as f64).then_some(value as u64)
}

/// An amount for explanations: `1234567.5` → `1 234 567.5`.
pub(crate) fn money(amount: f64, currency: &str) -> String {
    let rounded = (amount * 100.0).round() / 100.0;
    let text = stats::show(rounded);
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (text.clone(), String::new()),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", int),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac} {currency}")
}

/// "A, B and C".
pub(crate) fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", "),
            last.as_ref()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_lists_read_well() {
        assert_eq!(money(1_234_567.5, "AMD"), "1 234 567.5 AMD");
        assert_eq!(money(100.0, "USD"), "100 USD");
        assert_eq!(money(-1000.0, "USD"), "-1 000 USD");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
        assert_eq!(as_count(1.0), Some(1));
        assert_eq!(as_count(1.5), None);
    }
}
