//! Split purchases: several purchases by one buyer from one supplier, each
//! just under the tendering threshold, close together in time, that together
//! reach it. Splitting a purchase to stay under the threshold avoids the
//! competition the law requires above it.
//!
//! A purchase is what one process awarded the supplier (its active awards,
//! in the threshold's currency, dated by `awards[].date`). It is "just under"
//! when at least `threshold * (1 - margin)` and below `threshold`. A pair is
//! flagged when `minimum_count` such purchases fall within `window_days` and
//! add up to the threshold or more.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::process::{amount, calendar_date, sole_supplier, Process};
use super::subjects::{Names, Trail};
use super::{money, Judgement, RedFlag, Verdict};

struct Purchase {
    date: NaiveDate,
    ocid: String,
    amount: f64,
}

#[derive(Default)]
struct Pair {
    purchases: Vec<Purchase>,
    trail: Trail,
}

pub(crate) struct SplitPurchases<'p> {
    threshold: f64,
    currency: &'p str,
    floor: f64,
    window_days: i64,
    minimum_count: usize,
    pairs: BTreeMap<(String, String), Pair>,
    names: Names,
}

impl<'p> SplitPurchases<'p> {
    pub(crate) fn new(
        threshold: f64,
        currency: &'p str,
        margin: f64,
        window_days: u32,
        minimum_count: usize,
    ) -> Self {
        SplitPurchases {
            threshold,
            currency,
            floor: threshold * (1.0 - margin),
            window_days: i64::from(window_days),
            minimum_count,
            pairs: BTreeMap::new(),
            names: Names::default(),
        }
    }

    /// The most purchases within the window (earliest such window on ties).
    fn densest<'a>(&self, purchases: &'a [Purchase]) -> &'a [Purchase] {
        let mut best: &[Purchase] = &[];
        for start in 0..purchases.len() {
            let first = purchases[start].date;
            let end = purchases[start..]
                .iter()
                .take_while(|p| (p.date - first).num_days() <= self.window_days)
                .count();
            let window = &purchases[start..start + end];
            if window.len() > best.len() {
                best = window;
            }
        }
        best
    }
}

impl RedFlag for SplitPurchases<'_> {
    fn subject(&self) -> &'static str {
        "buyer_supplier"
    }

    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let (buyer, active) = process.buyer_and_active_awards()?;
        // supplier → (total, earliest award date) in this process.
        let mut bought: BTreeMap<String, (f64, NaiveDate)> = BTreeMap::new();
        for award in &active {
            let supplier = sole_supplier(award)?;
            let value = amount(&award.value, "awards[].value")?;
            if value.currency != self.currency {
                return Err(format!(
                    "awards[].value in {}, the threshold is in {}",
                    value.currency, self.currency
                ));
            }
            let Some(date) = award.date.ok().and_then(|d| calendar_date(d)) else {
                return Err("no awards[].date (or not a date)".into());
            };
            let entry = bought.entry(supplier.into_owned()).or_insert((0.0, date));
            entry.0 += value.value;
            entry.1 = entry.1.min(date);
        }
        self.names.note(&buyer, process.buyer_name());
        for (supplier, (total, date)) in bought {
            if total >= self.floor && total < self.threshold {
                let pair = self
                    .pairs
                    .entry((buyer.to_string(), supplier.to_string()))
                    .or_default();
                pair.purchases.push(Purchase {
                    date,
                    ocid: process.ocid.to_string(),
                    amount: total,
                });
                pair.trail.add(process);
            }
        }
        Ok(Verdict::Noted)
    }

    fn finish(&mut self) -> Vec<Judgement> {
        let mut pairs = std::mem::take(&mut self.pairs);
        let mut out = Vec::new();
        for ((buyer, supplier), pair) in &mut pairs {
            pair.purchases
                .sort_by(|a, b| (a.date, &a.ocid).cmp(&(b.date, &b.ocid)));
            let window = self.densest(&pair.purchases);
            let sum: f64 = window.iter().map(|p| p.amount).sum();
            let label = self.names.label(buyer);
            let verdict = if window.len() >= self.minimum_count && sum >= self.threshold {
                let (first, last) = (window[0].date, window[window.len() - 1].date);
                let amounts: Vec<String> = window.iter().map(|p| money(p.amount, self.currency)).collect();
                Verdict::flag(format!(
                    "Buyer {label} bought from supplier {supplier} {} times between {first} and {last} (within {} days), each time just under the threshold of {} ({}), together {}.",
                    window.len(),
                    self.window_days,
                    money(self.threshold, self.currency),
                    amounts.join(", "),
                    money(sum, self.currency)
                ))
            } else {
                Verdict::Clean
            };
            let involved = vec![format!("buyer: {label}"), format!("supplier: {supplier}")];
            out.push(pair.trail.judge(
                "buyer_supplier",
                &format!("{buyer} / {supplier}"),
                verdict,
                involved,
            ));
        }
        out
    }
}
