//! Short submission period (Cardinal R003): bidders had less time than the
//! law (or good practice) allows to prepare a bid, which favours a supplier
//! who knew in advance.
//!
//! By default days are counted as the law counts them: the period must end
//! no earlier than the calendar date `startDate` + `minimum_days` (or that
//! many working days). With `whole_days`, elapsed 24-hour periods between
//! the two instants are counted instead, as Cardinal does.

use std::collections::BTreeMap;

use mandate_rules::DayCount;

use super::process::{instant, Process};
use super::{RedFlag, Verdict};
use crate::days::{due_date, Within};
use crate::finding::count;

pub(crate) struct ShortTenderPeriod<'p> {
    pub minimum_days: u32,
    pub days: DayCount,
    pub whole_days: bool,
    pub by_details: &'p BTreeMap<String, u32>,
}

impl RedFlag for ShortTenderPeriod<'_> {
    fn observe(&mut self, process: &Process<'_>) -> Result<Verdict, String> {
        let period = process.tender().and_then(|t| t.tender_period.ok());
        let start = period.and_then(|p| p.start_date.ok()).map(|d| d.as_ref());
        let end = period.and_then(|p| p.end_date.ok()).map(|d| d.as_ref());
        let (Some(start), Some(end)) = (start, end) else {
            return Err("no tender.tenderPeriod.startDate or endDate".into());
        };
        let (Some(start), Some(end)) = (instant(start), instant(end)) else {
            return Err("tender.tenderPeriod dates not RFC 3339".into());
        };
        if end < start {
            return Err("tender.tenderPeriod ends before it starts".into());
        }
        let minimum = process
            .method_details()
            .and_then(|d| self.by_details.get(d))
            .copied()
            .unwrap_or(self.minimum_days);
        let period = || format!("{} to {}", start.format("%Y-%m-%d"), end.format("%Y-%m-%d"));
        if self.whole_days {
            let elapsed = (end - start).num_days();
            if elapsed >= i64::from(minimum) {
                return Ok(Verdict::Clean);
            }
            return Ok(Verdict::flag(format!(
                "Bids were accepted from {} only, {}, shorter than the minimum of {}.",
                period(),
                count(elapsed, "whole day"),
                count(i64::from(minimum), "day")
            )));
        }
        let Ok(earliest_close) = due_date(start.date_naive(), Within::Days(minimum), self.days, None) else {
            return Err("tender.tenderPeriod out of range".into());
        };
        let closes = end.with_timezone(start.offset()).date_naive();
        if closes >= earliest_close {
            return Ok(Verdict::Clean);
        }
        let kind = if self.days == DayCount::Working {
            "working "
        } else {
            ""
        };
        Ok(Verdict::flag(format!(
            "Bids were accepted from {} only, shorter than the minimum of {minimum} {kind}days (the period should have run at least until {earliest_close}).",
            period()
        )))
    }
}
