//! Late bid won (Cardinal R030): a valid bid received after the submission
//! deadline belongs to a winner. A corrupt buyer can favour a bidder by
//! accepting its bid after seeing the others.
//!
//! The bid's `date` and `tender.tenderPeriod.endDate` are compared as
//! instants (RFC 3339), so different time zones compare correctly.

use std::collections::BTreeSet;

use super::lenient::J;
use super::process::{bid_status, instant, supplier_ids, tenderer_ids, BidStatus, Process};
use super::{and_list, RedFlag, Verdict};

pub(crate) struct LateBidWon;

impl RedFlag for LateBidWon {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let end = process.tender().and_then(|t| t.tender_period.ok()).map_or(
            Err("no tender.tenderPeriod.endDate".to_string()),
            |p| {
                p.end_date
                    .require("tender.tenderPeriod.endDate")
                    .map(|d| d.as_ref())
            },
        );
        let end = end?;
        let Some(deadline) = instant(end) else {
            return Err("tender.tenderPeriod.endDate is not an RFC 3339 date-time".into());
        };
        let active = process.some_active_awards()?;
        let winners = supplier_ids(&active);
        if winners.is_empty() {
            return Err("the active awards name no supplier id".into());
        }
        let bids = process.bids()?;
        let mut late: BTreeSet<String> = BTreeSet::new();
        let mut late_date = None;
        let mut undated = false;
        for bid in bids {
            match bid_status(bid)? {
                BidStatus::Valid => {}
                _ => continue,
            }
            let won: Vec<String> = tenderer_ids(bid)?
                .into_iter()
                .filter(|t| winners.contains(t))
                .map(|t| t.into_owned())
                .collect();
            if won.is_empty() {
                continue;
            }
            let date = match &bid.date {
                J::Ok(date) => date,
                J::Absent => {
                    undated = true;
                    continue;
                }
                J::Wrong(kind) => return Err(format!("bids.details[].date is {kind}")),
            };
            let Some(received) = instant(date) else {
                return Err("bids.details[].date is not an RFC 3339 date-time".into());
            };
            if received > deadline {
                late.extend(won);
                late_date.get_or_insert(received);
            }
        }
        if let Some(received) = late_date {
            let names: Vec<&str> = late.iter().map(String::as_str).collect();
            let mut verdict = Verdict::flag(format!(
                "The valid bid of {} was received on {}, after the submission deadline of {}, and won.",
                and_list(&names),
                received.to_rfc3339(),
                deadline.to_rfc3339()
            ));
            if let Verdict::Flag(flag) = &mut verdict {
                flag.involved = names.iter().map(|t| format!("tenderer: {t}")).collect();
            }
            return Ok(verdict);
        }
        if undated {
            return Err("a winner's valid bid has no date".into());
        }
        Ok(Verdict::Clean)
    }
}
