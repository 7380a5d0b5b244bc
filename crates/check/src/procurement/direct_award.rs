//! Direct award above the threshold: a contract awarded without competition
//! (a direct procurement method) although its value reaches the threshold
//! above which the law requires a competitive procedure.
//!
//! Value = the active awards' total, which must be in the threshold's
//! currency (never converted). The threshold may differ by
//! `tender.mainProcurementCategory` (works are usually higher).

use std::collections::BTreeMap;

use mandate_rules::codelist::PROCUREMENT_METHODS;

use super::codes::{unknown_code, METHOD};
use super::lenient::J;
use super::process::{amount, Process};
use super::{money, RedFlag, Verdict};

pub(crate) struct DirectAward<'p> {
    pub threshold: f64,
    pub currency: &'p str,
    pub methods: &'p [String],
    pub by_category: &'p BTreeMap<String, f64>,
}

impl RedFlag for DirectAward<'_> {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let method = match process.method() {
            J::Absent => return Err("no tender.procurementMethod".into()),
            J::Wrong(kind) => return Err(format!("tender.procurementMethod is {kind}")),
            J::Ok(m) if !PROCUREMENT_METHODS.contains(&m.as_ref()) => return Err(unknown_code(METHOD, m)),
            J::Ok(m) => m.as_ref(),
        };
        if !self.methods.iter().any(|m| m == method) {
            return Ok(Verdict::Clean);
        }
        let active = process.some_active_awards()?;
        let mut total = 0.0;
        for award in active {
            match amount(&award.value, "awards[].value")? {
                value if value.currency == self.currency => total += value.value,
                value => {
                    return Err(format!(
                        "awards[].value in {}, the threshold is in {}",
                        value.currency, self.currency
                    ))
                }
            }
        }
        let category = process
            .tender()
            .and_then(|t| t.main_procurement_category.ok())
            .map(|c| c.as_ref());
        let (threshold, applies_to) = match category.and_then(|c| self.by_category.get(c).map(|t| (c, t))) {
            Some((c, t)) => (*t, format!(" for {c}")),
            None => (self.threshold, String::new()),
        };
        if total < threshold {
            return Ok(Verdict::Clean);
        }
        Ok(Verdict::flag(format!(
            "Awarded {} by a `{method}` procedure, without competition, although the threshold{applies_to} is {}.",
            money(total, self.currency),
            money(threshold, self.currency)
        )))
    }
}
