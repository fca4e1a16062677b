//! FHIR's `_lastUpdated` search parameter: a date or instant with a comparison prefix,
//! turned into the half-open window of update times it selects. A value stands for the
//! whole span its precision names (`2026-12` is all of December); dates are UTC.

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};

use crate::kernel::value::InvalidValue;

/// The update times a search keeps: `from` inclusive, `before` exclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpdatedWindow {
    pub from: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
}

impl UpdatedWindow {
    /// The window both `self` and `other` allow (repeated parameters are ANDed).
    pub fn and(self, other: UpdatedWindow) -> UpdatedWindow {
        UpdatedWindow {
            from: self.from.max(other.from),
            before: match (self.before, other.before) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// One `_lastUpdated` value, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastUpdated(UpdatedWindow);

const RULE: &str = "must be a FHIR date or instant (YYYY, YYYY-MM, YYYY-MM-DD or \
    YYYY-MM-DDThh:mm:ss with Z or an offset), optionally after eq, gt, ge, lt or le";

impl LastUpdated {
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let invalid = || InvalidValue {
            what: "_lastUpdated",
            rule: RULE,
        };
        let (prefix, value) = match text.get(..2) {
            Some(p @ ("eq" | "gt" | "ge" | "lt" | "le")) => (p, &text[2..]),
            _ => ("eq", text),
        };
        let (start, end) = span(value).ok_or_else(invalid)?;
        let window = match prefix {
            "eq" => UpdatedWindow {
                from: Some(start),
                before: Some(end),
            },
            "gt" => UpdatedWindow {
                from: Some(end),
                before: None,
            },
            "ge" => UpdatedWindow {
                from: Some(start),
                before: None,
            },
            "lt" => UpdatedWindow {
                from: None,
                before: Some(start),
            },
            _ => UpdatedWindow {
                from: None,
                before: Some(end),
            },
        };
        Ok(Self(window))
    }

    pub fn window(self) -> UpdatedWindow {
        self.0
    }
}

/// The first instant a value names and the first after it.
fn span(value: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if value.contains('T') {
        let instant = DateTime::parse_from_rfc3339(value)
            .ok()?
            .with_timezone(&Utc);
        // Precision is the second, or finer when fractions are given.
        let step = if value.contains('.') {
            TimeDelta::microseconds(1)
        } else {
            TimeDelta::seconds(1)
        };
        return Some((instant, instant + step));
    }
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let parts: Vec<&str> = value.split('-').collect();
    let number = |p: &str, len: usize| {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let year = i32::try_from(number(parts.first()?, 4)?).ok()?;
    let (first, last) = match parts.len() {
        1 => {
            let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
            (first, first.with_year(year + 1)?)
        }
        2 => {
            let first = NaiveDate::from_ymd_opt(year, number(parts[1], 2)?, 1)?;
            (first, first.checked_add_months(Months::new(1))?)
        }
        3 => {
            let day = NaiveDate::from_ymd_opt(year, number(parts[1], 2)?, number(parts[2], 2)?)?;
            (day, day.succ_opt()?)
        }
        _ => return None,
    };
    Some((midnight(first)?, midnight(last)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("test instant")
            .with_timezone(&Utc)
    }

    fn window(text: &str) -> UpdatedWindow {
        LastUpdated::parse(text).expect("valid").window()
    }

    #[test]
    fn a_day_is_the_whole_day() {
        let w = window("2026-12-01");
        assert_eq!(w.from, Some(at("2026-12-01T00:00:00Z")));
        assert_eq!(w.before, Some(at("2026-12-02T00:00:00Z")));
    }

    #[test]
    fn prefixes_cut_at_the_right_end_of_the_span() {
        assert_eq!(window("gt2026-12").from, Some(at("2027-01-01T00:00:00Z")));
        assert_eq!(window("ge2026-12").from, Some(at("2026-12-01T00:00:00Z")));
        assert_eq!(window("lt2026").before, Some(at("2026-01-01T00:00:00Z")));
        assert_eq!(window("le2026").before, Some(at("2027-01-01T00:00:00Z")));
        assert_eq!(
            window("ge2026-12-01T10:00:00+01:00").from,
            Some(at("2026-12-01T09:00:00Z"))
        );
    }

    #[test]
    fn repeated_values_intersect() {
        let w = window("ge2026-11-01").and(window("lt2026-12-01"));
        assert_eq!(w.from, Some(at("2026-11-01T00:00:00Z")));
        assert_eq!(w.before, Some(at("2026-12-01T00:00:00Z")));
    }

    #[test]
    fn malformed_values_are_refused() {
        for bad in [
            "",
            "yesterday",
            "ne2026-12-01",
            "2026-13-01",
            "2026-02-30",
            "26-12-01",
            "2026-12-01T10:00:00",
            "sa2026",
        ] {
            assert!(LastUpdated::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
