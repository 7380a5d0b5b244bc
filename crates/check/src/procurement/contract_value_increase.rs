//! Contract value raised beyond a share: a contract worth much more than
//! the award it implements. Winning low and raising the price afterwards,
//! through amendments, defeats the competition that chose the winner; the
//! EU directives cap modifications for that reason (Directive 2014/24/EU,
//! art. 72).
//!
//! Compared: each contract that is not cancelled, with `value` and an
//! `awardID` whose award has a `value` in the same currency; never across
//! currencies. Flagged when some contract exceeds its award by more than
//! `maximum_increase` (a share of the awarded value).

use super::lenient::J;
use super::model::items;
use super::process::{amount, Process};
use super::stats::percent;
use super::{money, RedFlag, Verdict};

pub(crate) struct ContractValueIncrease {
    pub maximum_increase: f64,
}

impl RedFlag for ContractValueIncrease {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        if let J::Wrong(kind) = &process.release.contracts {
            return Err(format!("contracts is {kind}"));
        }
        let mut compared = 0;
        let mut worst: Option<(f64, String, String, f64, f64, String)> = None;
        let mut why_not = None;
        for contract in items(&process.release.contracts) {
            if contract.status.ok().is_some_and(|s| s == "cancelled") {
                continue;
            }
            let award_id = match contract.award_id.require("contracts[].awardID") {
                Ok(id) => id.0.as_ref(),
                Err(reason) => {
                    why_not.get_or_insert(reason);
                    continue;
                }
            };
            let mut awards =
                items(&process.release.awards).filter(|a| a.id.ok().is_some_and(|id| id.0 == award_id));
            let award = match (awards.next(), awards.next()) {
                (Some(award), None) => award,
                (None, _) => {
                    why_not.get_or_insert(format!("no award with the contract's awardID `{award_id}`"));
                    continue;
                }
                (Some(_), Some(_)) => {
                    // Which of them the contract follows cannot be told.
                    why_not.get_or_insert(format!("several awards with the contract's awardID `{award_id}`"));
                    continue;
                }
            };
            let (signed, awarded) = match (
                amount(&contract.value, "contracts[].value"),
                amount(&award.value, "awards[].value"),
            ) {
                (Ok(c), Ok(a)) => (c, a),
                (Err(reason), _) | (_, Err(reason)) => {
                    why_not.get_or_insert(reason);
                    continue;
                }
            };
            if signed.currency != awarded.currency {
                why_not.get_or_insert(format!(
                    "contract in {}, award in {}: not compared",
                    signed.currency, awarded.currency
                ));
                continue;
            }
            if awarded.value <= 0.0 {
                why_not.get_or_insert("the awarded value is not positive".into());
                continue;
            }
            compared += 1;
            let increase = (signed.value - awarded.value) / awarded.value;
            if worst.as_ref().is_none_or(|w| increase > w.0) {
                let contract_id = contract.id.ok().map_or_else(String::new, |id| id.0.to_string());
                worst = Some((
                    increase,
                    contract_id,
                    award_id.to_string(),
                    signed.value,
                    awarded.value,
                    signed.currency.to_string(),
                ));
            }
        }
        if compared == 0 {
            return Err(why_not.unwrap_or_else(|| "no contracts".into()));
        }
        match worst {
            Some((increase, contract, award, signed, awarded, currency)) if increase > self.maximum_increase => {
                Ok(Verdict::flag(format!(
                    "Contract {contract} is worth {}, {} more than the {} awarded (award {award}), beyond the maximum increase of {}.",
                    money(signed, &currency),
                    percent(increase),
                    money(awarded, &currency),
                    percent(self.maximum_increase)
                )))
            }
            _ => Ok(Verdict::Clean),
        }
    }
}
