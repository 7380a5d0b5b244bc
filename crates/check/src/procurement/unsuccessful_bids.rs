//! Excessive unsuccessful bids (Cardinal R025): among the tenderers who bid
//! most often, one that almost never wins. A colluding bidder mimics
//! competition by submitting bids meant to lose.
//!
//! Per tenderer, over the processes with final awards and exactly one active
//! award to one supplier: valid bids (one per process) and wins. A top
//! tenderer bids at least as often as the `percentile` of all tenderers and
//! at least `minimum_bids` times; it is flagged when it lost at least once
//! and its win ratio is at or below the lower fence. (Without those two
//! guards, a data set where most tenderers bid once and win would make
//! every tenderer "top" and the fence 1, flagging tenderers that never lost.)

use std::collections::{BTreeMap, BTreeSet};

use super::model::items;
use super::process::{bid_status, supplier_ids, tenderer_ids, BidStatus, Process};
use super::stats::{percent, quantile, Fence, Tail};
use super::subjects::Trail;
use super::{Judgement, RedFlag, Verdict};

#[derive(Default)]
struct Tenderer {
    bids: u64,
    wins: u64,
    trail: Trail,
}

pub(crate) struct UnsuccessfulBids {
    percentile: u32,
    minimum_bids: u64,
    threshold: Option<f64>,
    minimum_sample: usize,
    tenderers: BTreeMap<String, Tenderer>,
}

impl UnsuccessfulBids {
    pub(crate) fn new(
        percentile: u32,
        minimum_bids: u64,
        threshold: Option<f64>,
        minimum_sample: usize,
    ) -> Self {
        UnsuccessfulBids {
            percentile,
            minimum_bids,
            threshold,
            minimum_sample,
            tenderers: BTreeMap::new(),
        }
    }
}

impl RedFlag for UnsuccessfulBids {
    fn subject(&self) -> &'static str {
        "tenderer"
    }

    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let active = process.final_active_awards()?;
        let bids = process.bids()?;
        let [award] = active.as_slice() else {
            return Err(format!("{} active awards, not one", active.len()));
        };
        if items(&award.suppliers).count() != 1 {
            return Err("the active award does not have exactly one supplier".into());
        }
        let Some(winner) = supplier_ids(&[award]).into_iter().next().map(|w| w.into_owned()) else {
            return Err("the active award's supplier has no id".into());
        };
        let mut valid = BTreeSet::new();
        for bid in bids {
            match bid_status(bid)? {
                BidStatus::Valid => {}
                _ => continue,
            }
            let ids = tenderer_ids(bid)?;
            if ids.len() != 1 {
                return Err(format!("a valid bid names {} tenderers", ids.len()));
            }
            valid.extend(ids.into_iter().map(|t| t.into_owned()));
        }
        if valid.is_empty() {
            return Err("no valid bids".into());
        }
        for id in valid {
            let won = id == winner;
            let tenderer = self.tenderers.entry(id).or_default();
            tenderer.bids += 1;
            tenderer.wins += u64::from(won);
            if !won {
                tenderer.trail.add(process);
            }
        }
        Ok(Verdict::Noted)
    }

    fn finish(&mut self) -> Vec<Judgement> {
        let tenderers = std::mem::take(&mut self.tenderers);
        let mut counts: Vec<f64> = tenderers.values().map(|t| t.bids as f64).collect();
        counts.sort_by(f64::total_cmp);
        let ratios: Vec<f64> = tenderers
            .values()
            .map(|t| t.wins as f64 / t.bids as f64)
            .collect();
        let fences = Fence::of(
            &ratios,
            self.threshold,
            Tail::Lower,
            self.minimum_sample,
            "tenderer",
        )
        .and_then(Fence::positive)
        .and_then(|f| match f.quartiles {
            Some(q) if q.q1 <= 0.0 => Err(format!(
                "{}: Q1 is 0, so a quarter of tenderers never win",
                f.basis
            )),
            _ => Ok(f),
        })
        .and_then(|f| {
            let top = quantile(&counts, f64::from(self.percentile) / 100.0)
                .ok_or_else(|| "no tenderers to compare".to_string())?;
            Ok((top, f))
        });
        tenderers
            .iter()
            .map(|(id, t)| {
                let verdict = match &fences {
                    Err(reason) => Verdict::NotApplicable(reason.clone()),
                    Ok((top, fence)) => {
                        let ratio = t.wins as f64 / t.bids as f64;
                        let frequent = t.bids as f64 >= *top && t.bids >= self.minimum_bids;
                        if frequent && t.wins < t.bids && ratio <= fence.value {
                            Verdict::flag(format!(
                                "Tenderer {id} won {} of the {} contracting processes it made a valid bid in ({}), at or below {}; with {} valid bids it is among the most frequent bidders ({}th percentile: {} bids; minimum: {}).",
                                t.wins,
                                t.bids,
                                percent(ratio),
                                fence.basis,
                                t.bids,
                                self.percentile,
                                super::stats::show(*top),
                                self.minimum_bids
                            ))
                        } else {
                            Verdict::Clean
                        }
                    }
                };
                t.trail.judge("tenderer", id, verdict, vec![format!("tenderer: {id}")])
            })
            .collect()
    }
}
