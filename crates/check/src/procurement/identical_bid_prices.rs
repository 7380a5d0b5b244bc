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
            if !bid_status(bid)?.submitted() {
                continue;
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
        let mut first = None;
        for ((bits, currency), sets) in &prices {
            let distinct: BTreeSet<&BTreeSet<Cow<'_, str>>> = sets.iter().collect();
            if distinct.len() > 1 {
                tied.extend(sets.iter().flatten().map(|t| t.as_ref()));
                first.get_or_insert((f64::from_bits(*bits), currency, distinct));
            }
        }
        let Some((price, currency, bidders)) = first else {
            return Ok(Verdict::Clean);
        };
        // A consortium is named by its members, `A + B`, so that a tenderer
        // bidding alone and in a consortium is not read as two tenderers.
        let labels: Vec<String> = bidders
            .iter()
            .map(|set| set.iter().map(|t| t.as_ref()).collect::<Vec<_>>().join(" + "))
            .collect();
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        let who = if bidders.iter().all(|set| set.len() == 1) {
            "tenderers"
        } else {
            "bidders"
        };
        let mut verdict = Verdict::flag(format!(
            "Different {who} ({}) submitted bids of exactly the same price, {}.",
            and_list(&labels),
            money(price, currency)
        ));
        let names: Vec<&str> = tied.iter().copied().collect();
        if let Verdict::Flag(flag) = &mut verdict {
            flag.involved = names.iter().map(|t| format!("tenderer: {t}")).collect();
        }
        Ok(verdict)
    }
}
