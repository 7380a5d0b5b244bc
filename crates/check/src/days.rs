//! Day counting for deadlines. A deadline "within N days of D" ends at the end
//! of day D + N (the start day itself is not counted, as in most statutes),
//! in the time zone offset of the start.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use mandate_rules::{Calendar, DayCount};

/// The last day on which an act is still in time. Working days follow
/// `calendar` (holidays, adjusted working days), or Monday to Friday
/// without one; a day outside the calendar's range is an error, not a guess.
pub fn due_date(
    start: NaiveDate,
    within: Within,
    count: DayCount,
    calendar: Option<&Calendar>,
) -> Result<NaiveDate, String> {
    let out_of_range = || "the deadline falls outside the dates chrono can represent".to_string();
    match within {
        Within::Months(m) => start.checked_add_months(Months::new(m)).ok_or_else(out_of_range),
        Within::Days(n) => match (count, calendar) {
            (DayCount::Calendar, _) => start
                .checked_add_days(Days::new(u64::from(n)))
                .ok_or_else(out_of_range),
            (DayCount::Working, Some(calendar)) => calendar
                .add_working_days(start, n)
                .map_err(|e| format!("calendar `{}` {e}", calendar.id)),
            (DayCount::Working, None) => add_working_days(start, n).ok_or_else(out_of_range),
        },
    }
}

/// Days after `start` up to and including `end`, counted as `count` says
/// (negative when `end` is before `start`).
pub fn days_between(
    start: NaiveDate,
    end: NaiveDate,
    count: DayCount,
    calendar: Option<&Calendar>,
) -> Result<i64, String> {
    match (count, calendar) {
        (DayCount::Calendar, _) => Ok((end - start).num_days()),
        (DayCount::Working, _) if end < start => Ok(-(days_between(end, start, count, calendar)?)),
        (DayCount::Working, Some(calendar)) => calendar
            .working_days_between(start, end)
            .map(i64::from)
            .map_err(|e| format!("calendar `{}` {e}", calendar.id)),
        (DayCount::Working, None) => {
            let mut n = 0;
            let mut day = start;
            while day < end {
                day = day.succ_opt().ok_or("date out of range")?;
                if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                    n += 1;
                }
            }
            Ok(n)
        }
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
            due_date(d("2006-08-02"), Within::Days(90), DayCount::Calendar, None),
            Ok(d("2006-10-31"))
        );
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 2017-01-06 + 1 working day = Monday 2017-01-09; + 5 = Friday 2017-01-13.
        assert_eq!(
            due_date(d("2017-01-06"), Within::Days(1), DayCount::Working, None),
            Ok(d("2017-01-09"))
        );
        assert_eq!(
            due_date(d("2017-01-06"), Within::Days(5), DayCount::Working, None),
            Ok(d("2017-01-13"))
        );
    }

    #[test]
    fn working_days_between_skip_the_weekend() {
        // Fri 2017-01-06 to Mon 2017-01-16: Mon 9 .. Fri 13 and Mon 16 = 6.
        assert_eq!(
            days_between(d("2017-01-06"), d("2017-01-16"), DayCount::Working, None),
            Ok(6)
        );
        assert_eq!(
            days_between(d("2017-01-16"), d("2017-01-06"), DayCount::Working, None),
            Ok(-6)
        );
        assert_eq!(
            days_between(d("2017-01-06"), d("2017-01-16"), DayCount::Calendar, None),
            Ok(10)
        );
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(
            due_date(d("2018-12-31"), Within::Months(2), DayCount::Calendar, None),
            Ok(d("2019-02-28"))
        );
    }
}
