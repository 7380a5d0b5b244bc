//! Excessive disqualified bids (Cardinal R038): a buyer or procuring entity
//! that disqualifies an unusually large share of the bids it receives, or a
//! tenderer whose bids are disqualified unusually often. A corrupt buyer
//! steers contracts by disqualifying; a colluding bidder mimics competition
//! with bids meant to be thrown out.
//!
//! Ratio = disqualified / submitted bids, summed over the organisation's
//! processes. Buyers and procuring entities with fewer than
//! `minimum_contracting_processes` processes with submitted bids, and
//! tenderers with fewer than `minimum_submitted_bids` bids, are not judged.
//! Each kind of organisation gets its own fence.

use std::collections::BTreeMap;

use mandate_rules::OrganisationRole;

use super::process::{bid_status, tenderer_ids, BidStatus, Process};
use super::stats::{percent, Fence, Tail};
use super::subjects::{Names, Trail};
use super::{Judgement, RedFlag, Verdict};

#[derive(Default)]
struct Tally {
    processes: u64,
    submitted: u64,
    disqualified: u64,
    trail: Trail,
}

pub(crate) struct DisqualifiedBids<'p> {
    per: &'p [OrganisationRole],
    threshold: Option<f64>,
    minimum_processes: usize,
    minimum_bids: usize,
    minimum_sample: usize,
    by_role: BTreeMap<OrganisationRole, BTreeMap<String, Tally>>,
    names: Names,
}

impl<'p> DisqualifiedBids<'p> {
    pub(crate) fn new(
        per: &'p [OrganisationRole],
        threshold: Option<f64>,
        minimum_processes: usize,
        minimum_bids: usize,
        minimum_sample: usize,
    ) -> Self {
        DisqualifiedBids {
            per,
            threshold,
            minimum_processes,
            minimum_bids,
            minimum_sample,
            by_role: BTreeMap::new(),
            names: Names::default(),
        }
    }

    fn organisation(
        &mut self,
        role: OrganisationRole,
        id: &str,
        submitted: u64,
        disqualified: u64,
        process: &Process<'_>,
    ) {
        let tally = self
            .by_role
            .entry(role)
            .or_default()
            .entry(id.to_string())
            .or_default();
        tally.processes += 1;
        tally.submitted += submitted;
        tally.disqualified += disqualified;
        if disqualified > 0 {
            tally.trail.add(process);
        }
    }
}

impl RedFlag for DisqualifiedBids<'_> {
    fn subject(&self) -> &'static str {
        match self.per {
            [one] => one.as_str(),
            _ => "organisation",
        }
    }

    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let bids = process.bids()?;
        let mut submitted = Vec::new();
        for bid in bids {
            match bid_status(bid)? {
                status if status.submitted() => submitted.push((bid, status == BidStatus::Disqualified)),
                _ => {}
            }
        }
        if submitted.is_empty() {
            return Err("no submitted bids".into());
        }
        let total = submitted.len() as u64;
        let disqualified = submitted.iter().filter(|(_, d)| *d).count() as u64;
        let mut contributed = false;
        let mut missing = Vec::new();
        for role in self.per {
            match role {
                OrganisationRole::Buyer | OrganisationRole::ProcuringEntity => {
                    let (id, name) = if *role == OrganisationRole::Buyer {
                        (process.buyer_id(), process.buyer_name())
                    } else {
                        let entity = process.tender().and_then(|t| t.procuring_entity.ok());
                        let name = entity.and_then(|e| e.name.ok()).map(|n| n.as_ref());
                        (process.procuring_entity_id(), name)
                    };
                    match id {
                        Ok(id) => {
                            self.names.note(&id, name);
                            self.organisation(*role, &id, total, disqualified, process);
                            contributed = true;
                        }
                        Err(reason) => missing.push(reason),
                    }
                }
                OrganisationRole::Tenderer => {
                    for (bid, out) in &submitted {
                        for id in tenderer_ids(bid)? {
                            self.organisation(*role, &id, 1, u64::from(*out), process);
                            contributed = true;
                        }
                    }
                    if !contributed {
                        missing.push("no tenderer ids".into());
                    }
                }
            }
        }
        if contributed {
            Ok(Verdict::Noted)
        } else {
            Err(missing.join("; "))
        }
    }

    fn finish(&mut self) -> Vec<Judgement> {
        let mut out = Vec::new();
        for (role, tallies) in std::mem::take(&mut self.by_role) {
            let kind = role.as_str();
            let minimum = if role == OrganisationRole::Tenderer {
                self.minimum_bids as u64
            } else {
                self.minimum_processes as u64
            };
            let size = |t: &Tally| {
                if role == OrganisationRole::Tenderer {
                    t.submitted
                } else {
                    t.processes
                }
            };
            let ratios: Vec<f64> = tallies
                .values()
                .filter(|t| size(t) >= minimum)
                .map(|t| t.disqualified as f64 / t.submitted as f64)
                .collect();
            let noun = match role {
                OrganisationRole::Buyer => "buyer",
                OrganisationRole::ProcuringEntity => "procuring entity",
                OrganisationRole::Tenderer => "tenderer",
            };
            let fence = Fence::of(&ratios, self.threshold, Tail::Upper, self.minimum_sample, noun)
                .and_then(Fence::positive);
            for (id, t) in &tallies {
                let label = self.names.label(id);
                let verdict = if size(t) < minimum {
                    let unit = if role == OrganisationRole::Tenderer {
                        "submitted bids"
                    } else {
                        "contracting processes with submitted bids"
                    };
                    Verdict::na(format!(
                        "{} with fewer than {minimum} {unit}",
                        kind.replace('_', " ")
                    ))
                } else {
                    match &fence {
                        Err(reason) => Verdict::NotApplicable(reason.clone()),
                        Ok(fence) => {
                            let ratio = t.disqualified as f64 / t.submitted as f64;
                            if ratio >= fence.value {
                                Verdict::flag(explain(role, &label, t, ratio, &fence.basis))
                            } else {
                                Verdict::Clean
                            }
                        }
                    }
                };
                out.push(t.trail.judge(
                    kind,
                    id,
                    verdict,
                    vec![format!("{}: {label}", kind.replace('_', " "))],
                ));
            }
        }
        out
    }
}

fn explain(role: OrganisationRole, label: &str, t: &Tally, ratio: f64, basis: &str) -> String {
    match role {
        OrganisationRole::Tenderer => format!(
            "Tenderer {label} had {} of its {} submitted bids disqualified ({}), at or above {basis}.",
            t.disqualified,
            t.submitted,
            percent(ratio)
        ),
        _ => format!(
            "{} {label} disqualified {} of the {} bids submitted in its {} contracting processes ({}), at or above {basis}.",
            if role == OrganisationRole::Buyer { "Buyer" } else { "Procuring entity" },
            t.disqualified,
            t.submitted,
            t.processes,
            percent(ratio)
        ),
    }
}
