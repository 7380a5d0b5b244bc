//! Heterogeneous supplier (Cardinal R048): a supplier that wins items of
//! unusually many different kinds. A supplier of everything is more likely
//! to be a front, unsuitable, or extracting rent.
//!
//! Variety = distinct leading `digits` of `awards[].items[].classification.id`
//! over the supplier's active awards (awards with one supplier only: with
//! several, who supplies what is unknown). Only suppliers awarded in at least
//! `minimum_contracting_processes` processes are judged, and the fence is
//! learnt from them alone, since variety grows with the number of awards.

use std::collections::{BTreeMap, BTreeSet};

use super::model::items;
use super::process::{supplier_ids, Process};
use super::stats::{Fence, Tail};
use super::subjects::Trail;
use super::{Judgement, RedFlag, Verdict};

#[derive(Default)]
struct Supplier {
    processes: u64,
    divisions: BTreeSet<String>,
    trail: Trail,
}

pub(crate) struct HeterogeneousSupplier {
    digits: usize,
    threshold: Option<f64>,
    minimum_processes: u64,
    minimum_sample: usize,
    suppliers: BTreeMap<String, Supplier>,
}

impl HeterogeneousSupplier {
    pub(crate) fn new(
        digits: usize,
        threshold: Option<f64>,
        minimum_processes: usize,
        minimum_sample: usize,
    ) -> Self {
        HeterogeneousSupplier {
            digits,
            threshold,
            minimum_processes: minimum_processes as u64,
            minimum_sample,
            suppliers: BTreeMap::new(),
        }
    }
}

impl RedFlag for HeterogeneousSupplier {
    fn subject(&self) -> &'static str {
        "supplier"
    }

    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let active = process.active_awards()?;
        let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for award in &active {
            if items(&award.suppliers).count() != 1 {
                continue;
            }
            let Some(supplier) = supplier_ids(&[award]).into_iter().next() else {
                continue;
            };
            for item in items(&award.items) {
                let code = item.classification.ok().and_then(|c| c.id.ok());
                if let Some(code) = code {
                    let division: String = code.0.chars().take(self.digits).collect();
                    seen.entry(supplier.to_string()).or_default().insert(division);
                }
            }
        }
        if seen.is_empty() {
            return Err("no active award to one supplier with classified items".into());
        }
        for (id, divisions) in seen {
            let supplier = self.suppliers.entry(id).or_default();
            supplier.processes += 1;
            supplier.divisions.extend(divisions);
            supplier.trail.add(process);
        }
        Ok(Verdict::Noted)
    }

    fn finish(&mut self) -> Vec<Judgement> {
        let suppliers = std::mem::take(&mut self.suppliers);
        let varieties: Vec<f64> = suppliers
            .values()
            .filter(|s| s.processes >= self.minimum_processes)
            .map(|s| s.divisions.len() as f64)
            .collect();
        let fence = Fence::of(
            &varieties,
            self.threshold,
            Tail::Upper,
            self.minimum_sample,
            "supplier",
        );
        suppliers
            .iter()
            .map(|(id, s)| {
                let verdict = if s.processes < self.minimum_processes {
                    Verdict::na(format!(
                        "supplier awarded in fewer than {} contracting processes",
                        self.minimum_processes
                    ))
                } else {
                    match &fence {
                        Err(reason) => Verdict::NotApplicable(reason.clone()),
                        Ok(fence) if s.divisions.len() as f64 >= fence.value => Verdict::flag(format!(
                            "Supplier {id} won items of {} different classification divisions (first {} digits) in {} contracting processes, at or above {}.",
                            s.divisions.len(),
                            self.digits,
                            s.processes,
                            fence.basis
                        )),
                        Ok(_) => Verdict::Clean,
                    }
                };
                s.trail.judge("supplier", id, verdict, vec![format!("supplier: {id}")])
            })
            .collect()
    }
}
