//! Procurement red flags on OCDS contracting processes. One file per
//! indicator behind the small [`RedFlag`] trait.

mod compile;
mod short_tender_period;
mod single_bid;

pub use compile::{ContractingProcess, LoggedRelease};

use mandate_model::{Evidence, Finding, Subject};
use mandate_rules::{Indicator, IndicatorKind, Pack};
use serde_json::Value;

use crate::coverage::Coverage;
use crate::finding::finding;

/// What an indicator says about one contracting process.
pub(crate) enum Verdict {
    Clean,
    /// The red flag is raised; the sentence explains why.
    Flag(String),
    /// A field the indicator needs is missing or unusable (counted in coverage).
    NotApplicable(String),
}

/// A procurement red flag: looks at the compiled view of one contracting process.
pub(crate) trait RedFlag {
    fn assess(&self, process: &ContractingProcess) -> Verdict;
}

pub(crate) fn screen(
    pack: &Pack,
    indicator: &Indicator,
    process: &ContractingProcess,
    coverage: &mut Coverage,
) -> Option<Finding> {
    let id = &indicator.common.id;
    if !indicator.ocid_prefixes.is_empty()
        && !indicator
            .ocid_prefixes
            .iter()
            .any(|p| process.ocid.starts_with(p))
    {
        return None; // another publisher's rule: not counted at all
    }
    if !indicator.procurement_methods.is_empty() {
        match process.tender_str("procurementMethod") {
            None => {
                coverage.not_applicable(id, "no tender.procurementMethod");
                return None;
            }
            Some(method) if !indicator.procurement_methods.iter().any(|m| m == method) => {
                coverage.not_applicable(id, &format!("procurement method `{method}` not covered"));
                return None;
            }
            Some(_) => {}
        }
    }
    let verdict = match &indicator.kind {
        IndicatorKind::SingleBid => single_bid::SingleBid.assess(process),
        IndicatorKind::ShortTenderPeriod { minimum_days, days } => short_tender_period::ShortTenderPeriod {
            minimum_days: *minimum_days,
            days: *days,
        }
        .assess(process),
    };
    match verdict {
        Verdict::Clean => {
            coverage.evaluated(id, false);
            None
        }
        Verdict::NotApplicable(reason) => {
            coverage.not_applicable(id, &reason);
            None
        }
        Verdict::Flag(explanation) => {
            coverage.evaluated(id, true);
            let subject = Subject {
                kind: "contracting_process".into(),
                id: process.ocid.clone(),
            };
            let evidence: Vec<Evidence> = process.evidence();
            let involved = process.buyer_name().into_iter().collect();
            Some(finding(
                pack,
                &indicator.common,
                subject,
                process.date(),
                involved,
                evidence,
                explanation,
            ))
        }
    }
}

/// `value` as a count: integers, or floats that are whole numbers.
pub(crate) fn as_count(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
            .map(|f| f as u64)
    })
}
