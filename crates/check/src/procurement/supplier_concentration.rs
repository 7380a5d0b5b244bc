//! Supplier concentration: one supplier takes an unusually large share of
//! the value a buyer awards. A buyer captured by one supplier shows it in
//! where its money goes.
//!
//! Share = the largest supplier's total / the buyer's total of active award
//! values, per buyer. Amounts are added only within one currency: a buyer
//! awarding in several currencies is not applicable, never converted.

use std::collections::BTreeMap;

use super::process::{amount, sole_supplier, Process};
use super::stats::{percent, Fence, Tail};
use super::subjects::{Names, Trail};
use super::{money, Judgement, RedFlag, Verdict};

#[derive(Default)]
struct Buyer {
    processes: u64,
    /// currency → supplier → total.
    totals: BTreeMap<String, BTreeMap<String, f64>>,
    trail: Trail,
}

pub(crate) struct SupplierConcentration {
    threshold: Option<f64>,
    minimum_processes: u64,
    minimum_sample: usize,
    buyers: BTreeMap<String, Buyer>,
    names: Names,
}

impl SupplierConcentration {
    pub(crate) fn new(threshold: Option<f64>, minimum_processes: usize, minimum_sample: usize) -> Self {
        SupplierConcentration {
            threshold,
            minimum_processes: minimum_processes as u64,
            minimum_sample,
            buyers: BTreeMap::new(),
            names: Names::default(),
        }
    }
}

/// The buyer's single currency, its total and its largest supplier's share.
fn share(b: &Buyer) -> Result<(f64, &str, &str, f64), String> {
    let [(currency, suppliers)] = b.totals.iter().collect::<Vec<_>>()[..] else {
        let list: Vec<&str> = b.totals.keys().map(String::as_str).collect();
        return Err(format!(
            "awards in several currencies ({}), not added up",
            list.join(", ")
        ));
    };
    let total: f64 = suppliers.values().sum();
    let Some((top, top_total)) = suppliers.iter().max_by(|a, b| a.1.total_cmp(b.1)) else {
        return Err("no awarded value".into());
    };
    if total <= 0.0 {
        return Err("the awarded value adds up to 0".into());
    }
    Ok((top_total / total, top, currency, total))
}

impl RedFlag for SupplierConcentration {
    fn subject(&self) -> &'static str {
        "buyer"
    }

    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let (buyer, active) = process.buyer_and_active_awards()?;
        let mut awarded = Vec::new();
        for award in &active {
            let supplier = sole_supplier(award)?;
            awarded.push((supplier, amount(&award.value, "awards[].value")?));
        }
        self.names.note(&buyer, process.buyer_name());
        let tally = self.buyers.entry(buyer.to_string()).or_default();
        tally.processes += 1;
        tally.trail.add(process);
        for (supplier, value) in awarded {
            *tally
                .totals
                .entry(value.currency.to_string())
                .or_default()
                .entry(supplier.to_string())
                .or_default() += value.value;
        }
        Ok(Verdict::Noted)
    }

    fn finish(&mut self) -> Vec<Judgement> {
        let buyers = std::mem::take(&mut self.buyers);
        let eligible = |b: &Buyer| b.processes >= self.minimum_processes;
        let shares: Vec<f64> = buyers
            .values()
            .filter(|b| eligible(b))
            .filter_map(|b| share(b).ok().map(|s| s.0))
            .collect();
        let fence = Fence::of(&shares, self.threshold, Tail::Upper, self.minimum_sample, "buyer")
            .and_then(Fence::positive);
        buyers
            .iter()
            .map(|(id, b)| {
                let label = self.names.label(id);
                let verdict = if !eligible(b) {
                    Verdict::na(format!(
                        "buyer with fewer than {} awarded contracting processes",
                        self.minimum_processes
                    ))
                } else {
                    match (share(b), &fence) {
                        (Err(reason), _) => Verdict::NotApplicable(reason),
                        (_, Err(reason)) => Verdict::NotApplicable(reason.clone()),
                        (Ok((s, top, currency, total)), Ok(fence)) if s >= fence.value => Verdict::flag(format!(
                            "Supplier {top} received {} of the {} that buyer {label} awarded in {} contracting processes, at or above {}.",
                            percent(s),
                            money(total, currency),
                            b.processes,
                            fence.basis
                        )),
                        (Ok(_), Ok(_)) => Verdict::Clean,
                    }
                };
                b.trail.judge("buyer", id, verdict, vec![format!("buyer: {label}")])
            })
            .collect()
    }
}
