//! Repeat buyer–supplier pairs: one supplier wins an unusually large share
//! of the contracting processes a buyer awards. Where supplier concentration
//! weighs money, this counts processes: many small awards to the same
//! supplier are as telling as one large one.
//!
//! Share = processes the buyer awarded to the supplier / processes the buyer
//! awarded (active awards), for buyers with at least
//! `minimum_contracting_processes` awarded processes.

use std::collections::BTreeMap;

use super::process::{supplier_ids, Process};
use super::stats::{percent, Fence, Tail};
use super::subjects::{Names, Trail};
use super::{Judgement, RedFlag, Verdict};

#[derive(Default)]
struct Buyer {
    processes: u64,
    suppliers: BTreeMap<String, (u64, Trail)>,
}

pub(crate) struct RepeatSupplier {
    threshold: Option<f64>,
    minimum_processes: u64,
    minimum_sample: usize,
    buyers: BTreeMap<String, Buyer>,
    names: Names,
}

impl RepeatSupplier {
    pub(crate) fn new(threshold: Option<f64>, minimum_processes: usize, minimum_sample: usize) -> Self {
        RepeatSupplier {
            threshold,
            minimum_processes: minimum_processes as u64,
            minimum_sample,
            buyers: BTreeMap::new(),
            names: Names::default(),
        }
    }
}

impl RedFlag for RepeatSupplier {
    fn subject(&self) -> &'static str {
        "buyer_supplier"
    }

    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let (buyer, active) = process.buyer_and_active_awards()?;
        let suppliers = supplier_ids(&active);
        if suppliers.is_empty() {
            return Err("the active awards name no supplier id".into());
        }
        self.names.note(&buyer, process.buyer_name());
        let tally = self.buyers.entry(buyer.to_string()).or_default();
        tally.processes += 1;
        for supplier in suppliers {
            let (count, trail) = tally.suppliers.entry(supplier.to_string()).or_default();
            *count += 1;
            trail.add(process);
        }
        Ok(Verdict::Noted)
    }

    fn finish(&mut self) -> Vec<Judgement> {
        let buyers = std::mem::take(&mut self.buyers);
        let shares: Vec<f64> = buyers
            .values()
            .filter(|b| b.processes >= self.minimum_processes)
            .flat_map(|b| b.suppliers.values().map(|(n, _)| *n as f64 / b.processes as f64))
            .collect();
        let fence = Fence::of(
            &shares,
            self.threshold,
            Tail::Upper,
            self.minimum_sample,
            "buyer–supplier pair",
        )
        .and_then(Fence::positive);
        let mut out = Vec::new();
        for (buyer, b) in &buyers {
            let label = self.names.label(buyer);
            for (supplier, (count, trail)) in &b.suppliers {
                let verdict = if b.processes < self.minimum_processes {
                    Verdict::na(format!(
                        "buyer with fewer than {} awarded contracting processes",
                        self.minimum_processes
                    ))
                } else {
                    let share = *count as f64 / b.processes as f64;
                    match &fence {
                        Err(reason) => Verdict::NotApplicable(reason.clone()),
                        Ok(fence) if share >= fence.value => Verdict::flag(format!(
                            "Supplier {supplier} won {count} of the {} contracting processes buyer {label} awarded ({}), at or above {}.",
                            b.processes,
                            percent(share),
                            fence.basis
                        )),
                        Ok(_) => Verdict::Clean,
                    }
                };
                let involved = vec![format!("buyer: {label}"), format!("supplier: {supplier}")];
                out.push(trail.judge(
                    "buyer_supplier",
                    &format!("{buyer} / {supplier}"),
                    verdict,
                    involved,
                ));
            }
        }
        out
    }
}
