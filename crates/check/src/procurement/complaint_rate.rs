//! High rate of complaints: a buyer whose contracting processes draw
//! complaints from bidders unusually often. Complaints are how excluded or
//! wronged bidders push back; many of them point at unfair procedures.
//!
//! A process counts when it publishes complaints data (`complaints`,
//! `tender.complaints` or `awards[].complaints`, an empty list meaning none);
//! a process that publishes nothing about complaints is not applicable, since
//! silence is not "no complaints". Rate = processes with at least one
//! complaint / processes with complaints data, per buyer.

use std::collections::BTreeMap;

use super::lenient::J;
use super::model::items;
use super::process::Process;
use super::stats::{percent, Fence, Tail};
use super::subjects::{Names, Trail};
use super::{Judgement, RedFlag, Verdict};

#[derive(Default)]
struct Buyer {
    processes: u64,
    with_complaints: u64,
    trail: Trail,
}

pub(crate) struct ComplaintRate {
    threshold: Option<f64>,
    minimum_processes: u64,
    minimum_sample: usize,
    buyers: BTreeMap<String, Buyer>,
    names: Names,
}

impl ComplaintRate {
    pub(crate) fn new(threshold: Option<f64>, minimum_processes: usize, minimum_sample: usize) -> Self {
        ComplaintRate {
            threshold,
            minimum_processes: minimum_processes as u64,
            minimum_sample,
            buyers: BTreeMap::new(),
            names: Names::default(),
        }
    }
}

/// Complaints in a process, or why it publishes no complaints data.
fn complaints(process: &Process<'_>) -> Result<usize, String> {
    let mut lists = vec![("complaints", &process.release.complaints)];
    if let Some(tender) = process.tender() {
        lists.push(("tender.complaints", &tender.complaints));
    }
    for award in items(&process.release.awards) {
        lists.push(("awards[].complaints", &award.complaints));
    }
    let mut published = false;
    let mut total = 0;
    for (field, list) in lists {
        match list {
            J::Absent => {}
            J::Wrong(kind) => return Err(format!("{field} is {kind}")),
            J::Ok(count) => {
                published = true;
                total += count.0;
            }
        }
    }
    if published {
        Ok(total)
    } else {
        Err("no complaints published (complaints, tender.complaints, awards[].complaints)".into())
    }
}

impl RedFlag for ComplaintRate {
    fn subject(&self) -> &'static str {
        "buyer"
    }

    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let buyer = process.buyer_id()?;
        let count = complaints(process)?;
        self.names.note(&buyer, process.buyer_name());
        let tally = self.buyers.entry(buyer.to_string()).or_default();
        tally.processes += 1;
        if count > 0 {
            tally.with_complaints += 1;
            tally.trail.add(process);
        }
        Ok(Verdict::Noted)
    }

    fn finish(&mut self) -> Vec<Judgement> {
        let buyers = std::mem::take(&mut self.buyers);
        let rates: Vec<f64> = buyers
            .values()
            .filter(|b| b.processes >= self.minimum_processes)
            .map(|b| b.with_complaints as f64 / b.processes as f64)
            .collect();
        let fence = Fence::of(&rates, self.threshold, Tail::Upper, self.minimum_sample, "buyer")
            .and_then(Fence::positive);
        buyers
            .iter()
            .map(|(id, b)| {
                let label = self.names.label(id);
                let verdict = if b.processes < self.minimum_processes {
                    Verdict::na(format!(
                        "buyer with fewer than {} contracting processes with complaints data",
                        self.minimum_processes
                    ))
                } else {
                    let rate = b.with_complaints as f64 / b.processes as f64;
                    match &fence {
                        Err(reason) => Verdict::NotApplicable(reason.clone()),
                        Ok(fence) if rate >= fence.value => Verdict::flag(format!(
                            "{} of the {} contracting processes of buyer {label} drew complaints ({}), at or above {}.",
                            b.with_complaints,
                            b.processes,
                            percent(rate),
                            fence.basis
                        )),
                        Ok(_) => Verdict::Clean,
                    }
                };
                b.trail.judge("buyer", id, verdict, vec![format!("buyer: {label}")])
            })
            .collect()
    }
}
