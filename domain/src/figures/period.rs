//! The periods figures are asked for: months or quarters, a range of at most 24 of them,
//! reaching back at most 24 periods from today.

use chrono::{Datelike, NaiveDate};

string_enum! {
    /// How finely figures are split over time.
    pub enum Interval ("interval") {
        Month => "month",
        Quarter => "quarter",
    }
}

/// How many periods a range may span, and how far back it may start.
pub const MAX_PERIODS: i32 = 24;

/// A calendar month, as months since year 0 (so months subtract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month(i32);

impl Month {
    pub fn of(day: NaiveDate) -> Self {
        Self(day.year() * 12 + day.month0() as i32)
    }

    /// As stored: `yyyymm`.
    pub const fn yyyymm(self) -> i32 {
        (self.0 / 12) * 100 + self.0 % 12 + 1
    }

    pub fn from_yyyymm(value: i32) -> Option<Self> {
        let (year, month) = (value / 100, value % 100);
        (1..=12)
            .contains(&month)
            .then_some(Self(year * 12 + month - 1))
    }

    pub const fn year(self) -> i32 {
        self.0 / 12
    }

    /// 1 to 12.
    pub const fn number(self) -> i32 {
        self.0 % 12 + 1
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.yyyymm())
    }
}

impl<'de> serde::Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = <i32 as serde::Deserialize>::deserialize(d)?;
        Month::from_yyyymm(value).ok_or_else(|| serde::de::Error::custom("not a yyyymm month"))
    }
}

/// One month or one quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub interval: Interval,
    /// Months or quarters since year 0.
    ordinal: i32,
}

impl Period {
    pub fn containing(interval: Interval, day: NaiveDate) -> Self {
        Self::of_month(interval, Month::of(day))
    }

    pub fn of_month(interval: Interval, month: Month) -> Self {
        let ordinal = match interval {
            Interval::Month => month.0,
            Interval::Quarter => month.0.div_euclid(3),
        };
        Self { interval, ordinal }
    }

    /// `2026-11` or `2026-Q4`.
    pub fn label(self) -> String {
        match self.interval {
            Interval::Month => format!("{}-{:02}", self.ordinal / 12, self.ordinal % 12 + 1),
            Interval::Quarter => format!("{}-Q{}", self.ordinal / 4, self.ordinal % 4 + 1),
        }
    }

    pub fn parse(interval: Interval, text: &str) -> Option<Self> {
        let (year, rest) = text.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let ordinal = match interval {
            Interval::Month => {
                if rest.len() != 2 || !rest.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let month: i32 = rest.parse().ok()?;
                (1..=12).contains(&month).then_some(year * 12 + month - 1)?
            }
            Interval::Quarter => {
                let quarter: i32 = rest.strip_prefix('Q')?.parse().ok()?;
                if rest.len() != 2 {
                    return None;
                }
                (1..=4)
                    .contains(&quarter)
                    .then_some(year * 4 + quarter - 1)?
            }
        };
        Some(Self { interval, ordinal })
    }

    /// The first and last month of the period.
    pub fn months(self) -> (Month, Month) {
        match self.interval {
            Interval::Month => (Month(self.ordinal), Month(self.ordinal)),
            Interval::Quarter => (Month(self.ordinal * 3), Month(self.ordinal * 3 + 2)),
        }
    }

    fn offset(self, by: i32) -> Self {
        Self {
            interval: self.interval,
            ordinal: self.ordinal + by,
        }
    }
}

/// A run of consecutive periods, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRange {
    pub interval: Interval,
    pub from: Period,
    pub to: Period,
}

/// A range that cannot be asked for, naming the parameter at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}`: {message}")]
pub struct PeriodError {
    pub field: &'static str,
    pub message: String,
}

fn error(field: &'static str, message: impl Into<String>) -> PeriodError {
    PeriodError {
        field,
        message: message.into(),
    }
}

impl PeriodRange {
    /// Parses `from` and `to` (`2026-11` for months, `2026-Q4` for quarters). Without `to`,
    /// the range ends in the period of `today`; without `from`, it covers 12 months or 4
    /// quarters. It may not end after today's period, start more than 24 periods back, or
    /// run backwards.
    pub fn parse(
        interval: Interval,
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, PeriodError> {
        let example = match interval {
            Interval::Month => "a month as `2026-11`",
            Interval::Quarter => "a quarter as `2026-Q4`",
        };
        let current = Period::containing(interval, today);
        let parse = |field: &'static str, text: &str| {
            Period::parse(interval, text)
                .ok_or_else(|| error(field, format!("expected {example} (interval `{interval}`)")))
        };
        let to = match to {
            Some(text) => parse("to", text)?,
            None => current,
        };
        let default_span = match interval {
            Interval::Month => 12,
            Interval::Quarter => 4,
        };
        let from = match from {
            Some(text) => parse("from", text)?,
            None => to.offset(1 - default_span),
        };
        if to > current {
            return Err(error(
                "to",
                format!(
                    "{} is after the current period {}",
                    to.label(),
                    current.label()
                ),
            ));
        }
        if from > to {
            return Err(error(
                "from",
                format!("{} is after `to` ({})", from.label(), to.label()),
            ));
        }
        let earliest = current.offset(1 - MAX_PERIODS);
        if from < earliest {
            return Err(error(
                "from",
                format!(
                    "figures reach back {MAX_PERIODS} periods, to {}",
                    earliest.label()
                ),
            ));
        }
        Ok(Self { interval, from, to })
    }

    pub fn periods(&self) -> Vec<Period> {
        (self.from.ordinal..=self.to.ordinal)
            .map(|ordinal| Period {
                interval: self.interval,
                ordinal,
            })
            .collect()
    }

    /// The first and last month the range covers.
    pub fn months(&self) -> (Month, Month) {
        (self.from.months().0, self.to.months().1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn months_round_trip_as_yyyymm() {
        let m = Month::of(day(2026, 12, 2));
        assert_eq!(m.yyyymm(), 202612);
        assert_eq!(Month::from_yyyymm(202612), Some(m));
        assert_eq!(Month::from_yyyymm(202613), None);
    }

    #[test]
    fn the_default_range_is_the_last_twelve_months() {
        let r = PeriodRange::parse(Interval::Month, None, None, day(2026, 12, 2)).expect("range");
        let labels: Vec<String> = r.periods().iter().map(|p| p.label()).collect();
        assert_eq!(labels.first().map(String::as_str), Some("2026-01"));
        assert_eq!(labels.last().map(String::as_str), Some("2026-12"));
        assert_eq!(labels.len(), 12);
    }

    #[test]
    fn quarters_cover_three_months() {
        let r = PeriodRange::parse(
            Interval::Quarter,
            Some("2026-Q1"),
            Some("2026-Q2"),
            day(2026, 12, 2),
        )
        .expect("range");
        assert_eq!(
            r.months(),
            (Month::of(day(2026, 1, 1)), Month::of(day(2026, 6, 1)))
        );
        assert_eq!(
            Period::containing(Interval::Quarter, day(2026, 11, 30)).label(),
            "2026-Q4"
        );
    }

    #[test]
    fn bad_ranges_name_the_parameter() {
        let today = day(2026, 12, 2);
        let at = |from: Option<&str>, to: Option<&str>| {
            PeriodRange::parse(Interval::Month, from, to, today).map_err(|e| e.field)
        };
        assert_eq!(at(Some("2026-13"), None), Err("from"));
        assert_eq!(at(None, Some("2027-01")), Err("to"));
        assert_eq!(at(Some("2026-06"), Some("2026-05")), Err("from"));
        assert_eq!(at(Some("2024-12"), None), Err("from"));
        assert!(at(Some("2025-01"), None).is_ok());
        assert_eq!(
            PeriodRange::parse(Interval::Quarter, Some("2026-11"), None, today)
                .map_err(|e| e.field),
            Err("from")
        );
    }
}
