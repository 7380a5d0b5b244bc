//! Price close to the winning bid (Cardinal R024) and heavily discounted bid
//! (Cardinal R058): both compare, per process, the second-lowest valid bid
//! with the winning bid, `(second - winner) / winner`, against the spread of
//! that difference over every comparable process.
//!
//! A difference at or below the lower fence suggests a colluding partner
//! mimicking competition with a cover bid just above the winner; one at or
//! above the upper fence, a winning bid priced far below everyone else's
//! (a "lemon" the buyer cannot judge).

use std::collections::BTreeSet;

use super::process::{amount, bid_status, supplier_ids, tenderer_ids, BidStatus, Process};
use super::stats::{percent, Fence, Tail};
use super::{model::items, money, Judgement, RedFlag, Verdict, CONTRACTING_PROCESS};
use mandate_model::{Evidence, Subject};

/// The two bids compared in one process.
#[derive(Debug, Clone)]
pub(crate) struct Comparison {
    pub ratio: f64,
    pub winner: String,
    pub winner_amount: f64,
    pub second: String,
    pub second_amount: f64,
    pub currency: String,
}

/// The comparison for one process, or why it cannot be made.
pub(crate) fn compare(process: &Process<'_>) -> Result<Comparison, String> {
    let active = process.final_active_awards()?;
    let bids = process.bids()?;
    let award = match active.as_slice() {
        [] => return Err("no active award".into()),
        [award] => award,
        more => return Err(format!("{} active awards (lots are not compared)", more.len())),
    };
    let suppliers: Vec<_> = items(&award.suppliers).collect();
    if suppliers.len() != 1 {
        return Err(format!("the active award has {} suppliers", suppliers.len()));
    }
    let Some(winner) = supplier_ids(&[award]).into_iter().next() else {
        return Err("the active award's supplier has no id".into());
    };
    let mut valid = Vec::new();
    for bid in bids {
        if bid_status(bid)? != BidStatus::Valid {
            continue;
        }
        let tenderers = tenderer_ids(bid)?;
        if tenderers.len() != 1 {
            return Err(format!("a valid bid names {} tenderers", tenderers.len()));
        }
        let value = amount(&bid.value, "bids.details[].value")?;
        let tenderer = tenderers.into_iter().next().unwrap_or_default();
        valid.push((tenderer, value.value, value.currency));
    }
    let currencies: BTreeSet<&str> = valid.iter().map(|(_, _, c)| *c).collect();
    if currencies.len() > 1 {
        let list: Vec<&str> = currencies.into_iter().collect();
        return Err(format!("valid bids in several currencies ({})", list.join(", ")));
    }
    let lowest = |winning: bool| {
        valid
            .iter()
            .filter(|(t, _, _)| (*t == winner) == winning)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    };
    let Some(&(_, winner_amount, currency)) = lowest(true) else {
        return Err("the winner has no valid bid".into());
    };
    let Some((second, second_amount, _)) = lowest(false) else {
        return Err("no valid bid other than the winner's".into());
    };
    let second_amount = *second_amount;
    if second_amount < winner_amount {
        return Err("the winning bid is not the lowest valid bid (award criteria not price only)".into());
    }
    if winner_amount <= 0.0 {
        return Err("the winning bid's amount is not positive".into());
    }
    Ok(Comparison {
        ratio: (second_amount - winner_amount) / winner_amount,
        winner: winner.to_string(),
        winner_amount,
        second: second.to_string(),
        second_amount,
        currency: currency.to_string(),
    })
}

/// One compared process, kept until the fence is known.
struct Noted {
    ocid: String,
    comparison: Comparison,
    evidence: Vec<Evidence>,
    date: Option<String>,
    buyer: Option<String>,
    source: Option<String>,
}

pub(crate) struct BidRatio {
    tail: Tail,
    threshold: Option<f64>,
    minimum_sample: usize,
    noted: Vec<Noted>,
}

impl BidRatio {
    /// R024: differences at or below the lower fence.
    pub(crate) fn close(threshold: Option<f64>, minimum_sample: usize) -> BidRatio {
        BidRatio {
            tail: Tail::Lower,
            threshold,
            minimum_sample,
            noted: Vec::new(),
        }
    }

    /// R058: differences at or above the upper fence.
    pub(crate) fn discounted(threshold: Option<f64>, minimum_sample: usize) -> BidRatio {
        BidRatio {
            tail: Tail::Upper,
            ..BidRatio::close(threshold, minimum_sample)
        }
    }

    fn fence(&self, values: &[f64]) -> Result<Fence, String> {
        let fence =
            Fence::of(values, self.threshold, self.tail, self.minimum_sample, "process")?.positive()?;
        // The lower tail also needs Q1 above 0: when a quarter of processes
        // have no price difference at all, "unusually close" means nothing.
        match fence.quartiles {
            Some(q) if self.tail == Tail::Lower && q.q1 <= 0.0 => Err(format!(
                "{}: Q1 is 0, so a quarter of processes have no price difference at all",
                fence.basis
            )),
            _ => Ok(fence),
        }
    }

    fn explain(&self, c: &Comparison, basis: &str) -> String {
        let bids = format!(
            "The second-lowest valid bid ({}, tenderer {}) was {} above the winning bid ({}, tenderer {})",
            money(c.second_amount, &c.currency),
            c.second,
            percent(c.ratio),
            money(c.winner_amount, &c.currency),
            c.winner
        );
        match self.tail {
            Tail::Lower => format!("{bids}: at or below {basis}, unusually close."),
            Tail::Upper => format!("{bids}: at or above {basis}, an unusually heavy discount."),
        }
    }
}

impl RedFlag for BidRatio {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let comparison = compare(process)?;
        self.noted.push(Noted {
            ocid: process.ocid.to_string(),
            comparison,
            evidence: (process.evidence)(),
            date: process.date(),
            buyer: process.buyer_label(),
            source: process.source.map(str::to_string),
        });
        Ok(Verdict::Noted)
    }

    fn finish(&mut self) -> Vec<Judgement> {
        let noted = std::mem::take(&mut self.noted);
        let values: Vec<f64> = noted.iter().map(|n| n.comparison.ratio).collect();
        let fence = self.fence(&values);
        noted
            .into_iter()
            .map(|n| {
                let verdict = match &fence {
                    Err(reason) => Verdict::NotApplicable(reason.clone()),
                    Ok(f) => {
                        let out = match self.tail {
                            Tail::Lower => n.comparison.ratio <= f.value,
                            Tail::Upper => n.comparison.ratio >= f.value,
                        };
                        if out {
                            let mut flag = Verdict::flag(self.explain(&n.comparison, &f.basis));
                            if let Verdict::Flag(flag) = &mut flag {
                                flag.involved = match self.tail {
                                    Tail::Lower => vec![
                                        format!("tenderer: {}", n.comparison.winner),
                                        format!("tenderer: {}", n.comparison.second),
                                    ],
                                    Tail::Upper => vec![format!("tenderer: {}", n.comparison.winner)],
                                };
                            }
                            flag
                        } else {
                            Verdict::Clean
                        }
                    }
                };
                Judgement {
                    subject: Subject {
                        kind: CONTRACTING_PROCESS.into(),
                        id: n.ocid,
                    },
                    verdict,
                    evidence: n.evidence,
                    occurred_at: n.date,
                    involved: n.buyer.into_iter().collect(),
                    source: n.source,
                }
            })
            .collect()
    }
}
