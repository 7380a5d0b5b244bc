//! Lowest bid disqualified (Cardinal R036): the cheapest submitted bid was
//! disqualified although valid bids existed and a contract was awarded. A
//! corrupt buyer can favour a costlier bidder by rejecting cheaper bids.
//!
//! Compared: submitted bids with an amount, all in one currency. When several
//! bids tie at the lowest amount, the flag needs all of them disqualified: a
//! valid bid at the same price means nothing cheaper was lost.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::process::{
    amount, award_status, bid_status, supplier_ids, tenderer_ids, Amount, AwardStatus, BidStatus, Process,
};
use super::{and_list, money, RedFlag, Verdict};

pub(crate) struct LowestBidDisqualified;

/// A submitted bid with a price.
struct PricedBid<'r> {
    status: BidStatus,
    amount: Amount<'r>,
    tenderers: BTreeSet<Cow<'r, str>>,
    /// Disqualified through an unsuccessful award (see the code lists).
    by_award: bool,
}

impl RedFlag for LowestBidDisqualified {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let mut active = Vec::new();
        for award in process.awards()? {
            if award_status(award)? == AwardStatus::Active {
                active.push(award);
            }
        }
        if active.is_empty() {
            return Err("no active award".into());
        }
        let bids = process.bids()?;
        let mut priced = Vec::new();
        for bid in bids {
            let status = bid_status(bid)?;
            if !status.submitted() {
                continue;
            }
            let has_price = bid
                .value
                .ok()
                .is_some_and(|v| !v.amount.is_absent() && !v.currency.is_absent());
            if !has_price {
                continue;
            }
            priced.push(PricedBid {
                status,
                amount: amount(&bid.value, "bids.details[].value")?,
                tenderers: tenderer_ids(bid)?,
                by_award: bid.disqualified_by_award,
            });
        }
        let currencies: BTreeSet<&str> = priced.iter().map(|b| b.amount.currency).collect();
        if currencies.len() > 1 {
            let list: Vec<&str> = currencies.into_iter().collect();
            return Err(format!(
                "submitted bids in several currencies ({})",
                list.join(", ")
            ));
        }
        let lowest_valid = priced
            .iter()
            .filter(|b| b.status == BidStatus::Valid)
            .map(|b| b.amount.value)
            .min_by(f64::total_cmp);
        let Some(lowest_valid) = lowest_valid else {
            return Err("no valid bid with value.amount and value.currency".into());
        };
        let lowest = priced
            .iter()
            .map(|b| b.amount.value)
            .fold(f64::INFINITY, f64::min);
        let at_lowest: Vec<_> = priced.iter().filter(|b| b.amount.value == lowest).collect();
        if !at_lowest.iter().all(|b| b.status == BidStatus::Disqualified) {
            return Ok(Verdict::Clean);
        }
        let currency = at_lowest.first().map_or("", |b| b.amount.currency);
        let who: BTreeSet<&str> = at_lowest
            .iter()
            .flat_map(|b| b.tenderers.iter().map(|x| x.as_ref()))
            .collect();
        let who: Vec<&str> = who.into_iter().collect();
        let by = if who.is_empty() {
            String::new()
        } else {
            format!(" from {}", and_list(&who))
        };
        let source = if at_lowest.iter().any(|b| b.by_award) {
            " (recorded as an unsuccessful award to the tenderer)"
        } else {
            ""
        };
        let winners: Vec<Cow<'_, str>> = supplier_ids(&active).into_iter().collect();
        let awarded = if winners.is_empty() {
            String::new()
        } else {
            let awards = if active.len() == 1 { "award" } else { "awards" };
            format!(", and the {awards} went to {}", and_list(&winners))
        };
        let mut verdict = Verdict::flag(format!(
            "The lowest bid ({}{by}) was disqualified{source}; the lowest valid bid was {}{awarded}.",
            money(lowest, currency),
            money(lowest_valid, currency)
        ));
        if let Verdict::Flag(flag) = &mut verdict {
            flag.involved = who.iter().map(|t| format!("tenderer: {t}")).collect();
        }
        Ok(verdict)
    }
}
