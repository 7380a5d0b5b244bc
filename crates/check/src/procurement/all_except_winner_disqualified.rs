//! All except winning bid disqualified (Cardinal R035): one tenderer had
//! valid bids and won everything, every other tenderer was disqualified. A
//! corrupt buyer can hand the contract to its favourite by disqualifying the
//! rest.
//!
//! Needs final awards (none pending). Flagged when exactly one tenderer has
//! valid bids, it is the supplier of every active award (and the only one),
//! and at least `minimum_disqualified` other tenderers were disqualified.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::process::{bid_status, supplier_ids, tenderer_ids, BidStatus, Process};
use super::{and_list, RedFlag, Verdict};

pub(crate) struct AllExceptWinnerDisqualified {
    pub minimum: usize,
}

impl RedFlag for AllExceptWinnerDisqualified {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let active = process.final_active_awards()?;
        let bids = process.bids()?;
        let suppliers = supplier_ids(&active);
        let mut valid: BTreeSet<Cow<'_, str>> = BTreeSet::new();
        let mut disqualified: BTreeSet<Cow<'_, str>> = BTreeSet::new();
        let mut by_award = false;
        for bid in bids {
            let set = match bid_status(bid)? {
                BidStatus::Valid => &mut valid,
                BidStatus::Disqualified => &mut disqualified,
                _ => continue,
            };
            by_award |= bid.disqualified_by_award;
            set.extend(tenderer_ids(bid)?);
        }
        if valid.len() != 1 || valid != suppliers {
            return Ok(Verdict::Clean);
        }
        let others: Vec<&str> = disqualified.difference(&valid).map(|t| t.as_ref()).collect();
        if others.len() < self.minimum {
            return Ok(Verdict::Clean);
        }
        let winner = valid.iter().next().map_or("", |w| w.as_ref());
        let source = match (by_award, others.len()) {
            (false, _) => "",
            (true, 1) => ", recorded as an unsuccessful award",
            (true, _) => ", recorded as unsuccessful awards",
        };
        let mut verdict = Verdict::flag(format!(
            "Every tenderer but the winner was disqualified ({}: {} tenderer{}{source}), and {winner}, the only tenderer with a valid bid, won.",
            and_list(&others),
            others.len(),
            if others.len() == 1 { "" } else { "s" },
        ));
        if let Verdict::Flag(flag) = &mut verdict {
            flag.involved = vec![format!("tenderer: {winner}")];
        }
        Ok(verdict)
    }
}
