//! Bid rotation: the same group of tenderers meets again and again, and
//! every member gets its turn to win. A cartel shares a market by taking
//! turns, the losers bidding only to make each tender look contested.
//!
//! A group is the exact set of tenderers with submitted bids in a process
//! (between `minimum_group_size` and `maximum_group_size` of them), in
//! processes with final awards whose active awards all go to one member.
//! A group that met in at least `minimum_contracting_processes` processes
//! is flagged when every member won at least one of them.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::process::{bid_status, supplier_ids, tenderer_ids, Process};
use super::subjects::Trail;
use super::{Judgement, RedFlag, Verdict};

#[derive(Default)]
struct Group {
    processes: u64,
    wins: BTreeMap<String, u64>,
    trail: Trail,
}

pub(crate) struct BidRotation {
    minimum_processes: u64,
    minimum_size: usize,
    maximum_size: usize,
    groups: BTreeMap<Vec<String>, Group>,
}

impl BidRotation {
    pub(crate) fn new(minimum_processes: usize, minimum_size: usize, maximum_size: usize) -> Self {
        BidRotation {
            minimum_processes: minimum_processes as u64,
            minimum_size,
            maximum_size,
            groups: BTreeMap::new(),
        }
    }
}

impl RedFlag for BidRotation {
    fn subject(&self) -> &'static str {
        "bidder_group"
    }

    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let active = process.final_active_awards()?;
        let bids = process.bids()?;
        let mut group: BTreeSet<Cow<'_, str>> = BTreeSet::new();
        for bid in bids {
            match bid_status(bid)? {
                status if status.submitted() => group.extend(tenderer_ids(bid)?),
                _ => {}
            }
        }
        if group.len() < self.minimum_size || group.len() > self.maximum_size {
            return Err(format!(
                "tenderers outside the group sizes judged ({} to {})",
                self.minimum_size, self.maximum_size
            ));
        }
        let winners = supplier_ids(&active);
        let winner = match winners.iter().collect::<Vec<_>>()[..] {
            [one] if group.contains(one) => one.to_string(),
            _ => return Err("the active awards do not go to exactly one of the tenderers".into()),
        };
        let key: Vec<String> = group.iter().map(|t| t.to_string()).collect();
        let tally = self.groups.entry(key).or_default();
        tally.processes += 1;
        *tally.wins.entry(winner).or_default() += 1;
        tally.trail.add(process);
        Ok(Verdict::Noted)
    }

    fn finish(&mut self) -> Vec<Judgement> {
        let groups = std::mem::take(&mut self.groups);
        groups
            .iter()
            .map(|(members, g)| {
                let id = members.join(" + ");
                let verdict = if g.processes < self.minimum_processes {
                    Verdict::na(format!(
                        "group met in fewer than {} contracting processes",
                        self.minimum_processes
                    ))
                } else if members.iter().all(|m| g.wins.contains_key(m)) {
                    let turns: Vec<String> = members
                        .iter()
                        .map(|m| format!("{m} {}", g.wins.get(m).copied().unwrap_or(0)))
                        .collect();
                    Verdict::flag(format!(
                        "The same {} tenderers bid against each other in {} contracting processes and each won in turn (wins: {}).",
                        members.len(),
                        g.processes,
                        turns.join(", ")
                    ))
                } else {
                    Verdict::Clean
                };
                let involved = members.iter().map(|m| format!("tenderer: {m}")).collect();
                g.trail.judge("bidder_group", &id, verdict, involved)
            })
            .collect()
    }
}
