//! Single bid received (Cardinal R018): only one tenderer in a competitive
//! procedure. Competition is what makes a tender fair; a lone bidder is the
//! most common red flag for a tender tailored to one supplier.
//!
//! The number of tenderers comes from the first available of `count_from`:
//! distinct tenderers of the submitted bids in `bids.details`, or
//! `tender.numberOfTenderers`.

use std::collections::BTreeSet;

use mandate_rules::TendererCount;

use super::lenient::J;
use super::process::{bid_status, tenderer_ids, Process};
use super::{as_count, RedFlag, Verdict};

pub(crate) struct SingleBid<'p> {
    pub count_from: &'p [TendererCount],
}

impl RedFlag for SingleBid<'_> {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        for source in self.count_from {
            let counted = match source {
                TendererCount::Bids => from_bids(process),
                TendererCount::NumberOfTenderers => from_number_of_tenderers(process),
            };
            match counted? {
                Some((count, field)) => return Ok(judge(process, count, field)),
                None => continue,
            }
        }
        let fields: Vec<&str> = self
            .count_from
            .iter()
            .map(|s| match s {
                TendererCount::Bids => "bids.details",
                TendererCount::NumberOfTenderers => "tender.numberOfTenderers",
            })
            .collect();
        Err(format!("no {}", fields.join(" or ")))
    }
}

fn judge(process: &Process<'_>, count: u64, field: &str) -> Verdict {
    if count != 1 {
        return Verdict::Clean;
    }
    let method = match process.method() {
        J::Ok(m) => m.as_ref(),
        _ => "unknown",
    };
    Verdict::flag(format!(
        "Only one tenderer submitted a bid ({field}) in this {method} procedure, so the buyer had no competing offer to compare."
    ))
}

/// Distinct tenderers of submitted bids; a submitted bid naming no
/// tenderer id counts as one more tenderer. `None` without `bids.details`.
fn from_bids(process: &Process<'_>) -> Result<Option<(u64, &'static str)>, String> {
    let details_absent = match &process.release.bids {
        J::Absent => true,
        J::Ok(bids) => bids.details.is_absent(),
        J::Wrong(_) => false,
    };
    if details_absent {
        return Ok(None);
    }
    let mut tenderers = BTreeSet::new();
    let mut anonymous = 0u64;
    for bid in process.bids()? {
        if !bid_status(bid)?.submitted() {
            continue;
        }
        let ids = tenderer_ids(bid)?;
        if ids.is_empty() {
            anonymous += 1;
        }
        tenderers.extend(ids);
    }
    Ok(Some((tenderers.len() as u64 + anonymous, "bids.details")))
}

fn from_number_of_tenderers(process: &Process<'_>) -> Result<Option<(u64, &'static str)>, String> {
    let field = process.tender().map_or(&J::Absent, |t| &t.number_of_tenderers);
    match field {
        J::Absent => Ok(None),
        J::Wrong(kind) => Err(format!("tender.numberOfTenderers is {kind}")),
        J::Ok(n) => match as_count(n.0) {
            Some(count) => Ok(Some((count, "tender.numberOfTenderers"))),
            None => Err(format!("tender.numberOfTenderers is {}, not a count", n.0)),
        },
    }
}
