//! Day counting for deadlines. A deadline "within N days of D" ends at the end
//! of day D + N (the start day itself is not counted, as in most statutes),
//! in the time zone offset of the start.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use mandate_rules::DayCount;

/// The last day on which an act is still in time.
pub fn due_date(start: NaiveDate, within: Within, count: DayCount) -> Option<NaiveDate> {
    match within {
        Within::Months(m) => start.checked_add_months(Months::new(m)),
        Within::Days(n) => match count {
            DayCount::Calendar => start.checked_add_days(Days::new(u64::from(n))),
            DayCount::Working => add_working_days(start, n),
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    Days(u32),
    Months(u32),
}

fn add_working_days(start: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut day = start;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt()?;
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn calendar_days_do_not_count_the_start_day() {
        // 90 days after 2006-08-02: Aug has 29 days left, Sep 30, Oct 31 -> 90 reached on 2006-10-31.
        assert_eq!(
            due_date(d("2006-08-02"), Within::Days(90), DayCount::Calendar),
            Some(d("2006-10-31"))
        );
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 2017-01-06 + 1 working day = Monday 2017-01-09; + 5 = Friday 2017-01-13.
        assert_eq!(
            due_date(d("2017-01-06"), Within::Days(1), DayCount::Working),
            Some(d("2017-01-09"))
        );
        assert_eq!(
            due_date(d("2017-01-06"), Within::Days(5), DayCount::Working),
            Some(d("2017-01-13"))
        );
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(
            due_date(d("2018-12-31"), Within::Months(2), DayCount::Calendar),
            Some(d("2019-02-28"))
        );
    }
}
