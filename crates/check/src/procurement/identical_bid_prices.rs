//! Identical bid prices (Cardinal R028): different tenderers submitted bids
//! of exactly the same amount in the same currency. A corrupt buyer can
//! leak a competitor's price to the favoured bidder, and cartels share prices.
//!
//! Compared: submitted bids with `value.amount`, `value.currency` and at
//! least one tenderer id. A tenderer may bid the same price twice; only
//! different sets of tenderers count.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::process::{amount, bid_status, tenderer_ids, Process};
use super::{and_list, money, RedFlag, Verdict};

pub(crate) struct IdenticalBidPrices;

impl RedFlag for IdenticalBidPrices {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let bids = process.bids()?;
        // (amount bits, currency) → the tenderer sets that bid it, in order.
        let mut prices: BTreeMap<(u64, &str), Vec<BTreeSet<Cow<'_, str>>>> = BTreeMap::new();
        let mut compared = 0;
        for bid in bids {
            match bid_status(bid)? {
                status if !status.submitted() => continue,
                _ => {}
            }
            let ids = tenderer_ids(bid)?;
            let priced = bid
                .value
                .ok()
                .is_some_and(|v| !v.amount.is_absent() && !v.currency.is_absent());
            if ids.is_empty() || !priced {
                continue;
            }
            let value = amount(&bid.value, "bids.details[].value")?;
            compared += 1;
            let key = ((value.value + 0.0).to_bits(), value.currency);
            prices.entry(key).or_default().push(ids);
        }
        if compared < 2 {
            return Err(
                "fewer than two submitted bids with value.amount, value.currency and a tenderer id".into(),
            );
        }
        let mut tied: BTreeSet<&str> = BTreeSet::new();
        let mut first: Option<(f64, &str)> = None;
        for ((bits, currency), sets) in &prices {
            let distinct: BTreeSet<&BTreeSet<Cow<'_, str>>> = sets.iter().collect();
            if distinct.len() > 1 {
                tied.extend(sets.iter().flatten().map(|t| t.as_ref()));
                first.get_or_insert((f64::from_bits(*bits), currency));
            }
        }
        let Some((price, currency)) = first else {
            return Ok(Verdict::Clean);
        };
        let names: Vec<&str> = tied.iter().copied().collect();
        let mut verdict = Verdict::flag(format!(
            "Different tenderers ({}) submitted bids of exactly the same price, {}.",
            and_list(&names),
            money(price, currency)
        ));
        if let Verdict::Flag(flag) = &mut verdict {
            flag.involved = names.iter().map(|t| format!("tenderer: {t}")).collect();
        }
        Ok(verdict)
    }
}
