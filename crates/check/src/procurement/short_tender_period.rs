//! Short submission period: bidders had less time than the law allows to
//! prepare a bid, which favours a supplier who knew in advance.

use chrono::DateTime;
use mandate_rules::DayCount;

use super::{ContractingProcess, RedFlag, Verdict};
use crate::days::{due_date, Within};

pub(crate) struct ShortTenderPeriod {
    pub minimum_days: u32,
    pub days: DayCount,
}

impl RedFlag for ShortTenderPeriod {
    fn assess(&self, process: &ContractingProcess) -> Verdict {
        let period = process.tender().and_then(|t| t.get("tenderPeriod"));
        let field = |name: &str| period.and_then(|p| p.get(name)).and_then(|v| v.as_str());
        let (Some(start), Some(end)) = (field("startDate"), field("endDate")) else {
            return Verdict::NotApplicable("no tender.tenderPeriod.startDate or endDate".into());
        };
        let (Ok(start), Ok(end)) = (
            DateTime::parse_from_rfc3339(start),
            DateTime::parse_from_rfc3339(end),
        ) else {
            return Verdict::NotApplicable("tender.tenderPeriod dates not RFC 3339".into());
        };
        let Some(earliest_close) = due_date(start.date_naive(), Within::Days(self.minimum_days), self.days)
        else {
            return Verdict::NotApplicable("tender.tenderPeriod out of range".into());
        };
        let closes = end.with_timezone(start.offset()).date_naive();
        if closes >= earliest_close {
            return Verdict::Clean;
        }
        let kind = if self.days == DayCount::Working {
            "working "
        } else {
            ""
        };
        Verdict::Flag(format!(
            "Bids were accepted from {} to {} only, shorter than the minimum of {} {kind}days (the period should have run at least until {earliest_close}).",
            start.format("%Y-%m-%d"),
            end.format("%Y-%m-%d"),
            self.minimum_days
        ))
    }
}
