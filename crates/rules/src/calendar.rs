//! Working-day calendars: which days count when a deadline is given in
//! working days. A calendar lists the weekend, the public holidays and the
//! adjusted working days (a Saturday or Sunday worked to bridge a holiday,
//! as the Chinese State Council's yearly holiday notice sets them).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use mandate_model::LegalBasis;
use serde::{Deserialize, Deserializer};

use crate::org::{date, parse_date};

/// `[[calendar]]` in a pack.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Referred to by deadline and duration rules: `calendar = "cn"`.
    pub id: String,
    pub title: String,
    /// Days of the week that are not worked (default Saturday and Sunday).
    #[serde(default = "default_weekend", deserialize_with = "weekdays")]
    pub weekend: Vec<Weekday>,
    /// Public holidays, `"2025-10-01"`: never working days.
    #[serde(default, deserialize_with = "dates")]
    pub holidays: BTreeSet<NaiveDate>,
    /// Adjusted working days that fall on the weekend: always working days.
    #[serde(default, deserialize_with = "dates")]
    pub working_days: BTreeSet<NaiveDate>,
    /// The first and last day the calendar knows; counting outside them is
    /// an error rather than a silent guess.
    #[serde(deserialize_with = "date")]
    pub valid_from: NaiveDate,
    #[serde(deserialize_with = "date")]
    pub valid_until: NaiveDate,
    pub legal_basis: LegalBasis,
}

/// A day the calendar does not cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("calendar covers {from} to {until}; {day} is outside it")]
pub struct OutsideCalendar {
    pub day: NaiveDate,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl Calendar {
    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, OutsideCalendar> {
        if day < self.valid_from || day > self.valid_until {
            return Err(OutsideCalendar {
                day,
                from: self.valid_from,
                until: self.valid_until,
            });
        }
        Ok(self.working_days.contains(&day)
            || !(self.holidays.contains(&day) || self.weekend.contains(&day.weekday())))
    }

    /// The `n`th working day after `start` (the start day itself not counted).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, OutsideCalendar> {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().ok_or(OutsideCalendar {
                day,
                from: self.valid_from,
                until: self.valid_until,
            })?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// Working days after `start` up to and including `end` (0 when `end <= start`).
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> Result<u32, OutsideCalendar> {
        let mut count = 0;
        let mut day = start;
        while day < end {
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Problems a reviewer should fix: a holiday also listed as a working
    /// day, an adjusted working day that is not on the weekend, dates
    /// outside the validity range.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.valid_from > self.valid_until {
            problems.push(format!(
                "valid_from {} is after valid_until {}",
                self.valid_from, self.valid_until
            ));
        }
        for day in self.holidays.intersection(&self.working_days) {
            problems.push(format!("{day} is listed both as a holiday and as a working day"));
        }
        for day in &self.working_days {
            if !self.weekend.contains(&day.weekday()) {
                problems.push(format!(
                    "working day {day} is a {}, already a working day",
                    day.weekday()
                ));
            }
        }
        for day in self.holidays.iter().chain(&self.working_days) {
            if *day < self.valid_from || *day > self.valid_until {
                problems.push(format!("{day} is outside valid_from..valid_until"));
            }
        }
        problems
    }
}

fn default_weekend() -> Vec<Weekday> {
    vec![Weekday::Sat, Weekday::Sun]
}

fn dates<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<NaiveDate>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| parse_date(s))
        .collect::<Result<_, _>>()
        .map_err(serde::de::Error::custom)
}

fn weekdays<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| {
            s.parse::<Weekday>()
                .map_err(|_| format!("`{s}` is not a day of the week (monday, tuesday, ...)"))
        })
        .collect::<Result<_, _>>()
        .map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    /// National Day 2025 by the State Council notice 国办发明电〔2024〕12号:
    /// 1-8 October off, Sunday 28 September and Saturday 11 October worked.
    fn cn_october_2025() -> Calendar {
        toml::from_str(
            r#"
            id = "cn"
            title = "test"
            holidays = ["2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04",
                        "2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08"]
            working_days = ["2025-09-28", "2025-10-11"]
            valid_from = "2025-01-01"
            valid_until = "2025-12-31"
            legal_basis = { source = "x", text = "y" }
            "#,
        )
        .unwrap()
    }

    #[test]
    fn working_days_skip_holidays_and_count_adjusted_saturdays() {
        let cal = cn_october_2025();
        // From Tue 30 Sep: Thu 9 Oct (1), Fri 10 (2), Sat 11 worked (3), Mon 13 (4), Tue 14 (5).
        assert_eq!(cal.add_working_days(d("2025-09-30"), 5), Ok(d("2025-10-14")));
        assert_eq!(cal.working_days_between(d("2025-09-30"), d("2025-10-14")), Ok(5));
        // Sunday 28 September is worked: Fri 26 + 1 working day is Sun 28.
        assert_eq!(cal.add_working_days(d("2025-09-26"), 1), Ok(d("2025-09-28")));
    }

    #[test]
    fn counting_past_the_calendar_is_an_error() {
        let cal = cn_october_2025();
        assert!(cal.add_working_days(d("2025-12-30"), 5).is_err());
    }

    #[test]
    fn contradictions_are_reported() {
        let mut cal = cn_october_2025();
        cal.working_days.insert(d("2025-10-01"));
        cal.working_days.insert(d("2025-10-09"));
        let problems = cal.problems();
        assert!(
            problems.iter().any(|p| p.contains("2025-10-01 is listed both")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("2025-10-09 is a Thu")),
            "{problems:?}"
        );
    }
}
