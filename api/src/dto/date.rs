//! Calendar dates in request bodies: exactly `YYYY-MM-DD`, a real date, years 0001-9999
//! (RFC 3339 `full-date`; year 0000 is no year of the Gregorian calendar as written).
//! chrono alone also takes `+002026-01-01`, `-2026-01-01`, `2026-2-3` and leading
//! spaces; none of those is a date an EHR meant. Use with
//! `#[serde(deserialize_with = "date::required")]` or, for optional fields,
//! `#[serde(default, deserialize_with = "date::optional")]`.

use chrono::{Datelike, NaiveDate};
use serde::de::Error;
use serde::{Deserialize, Deserializer};

/// The rule every date field states in its errors.
pub const FORMAT: &str = "a date as YYYY-MM-DD (e.g. 2026-01-05)";

/// Parses a date written exactly as `YYYY-MM-DD`.
pub fn parse(text: &str) -> Result<NaiveDate, String> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    let shown: String = text.chars().take(20).collect();
    if !shaped {
        return Err(format!("expected {FORMAT}, got {shown:?}"));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{shown:?} is not a calendar date; expected {FORMAT}"))?;
    if date.year() < 1 {
        return Err(format!("{shown:?} has year 0000; expected {FORMAT}"));
    }
    Ok(date)
}

pub fn required<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse(&text).map_err(D::Error::custom)
}

pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|text| parse(&text))
        .transpose()
        .map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_four_digit_years_two_digit_months_and_days() {
        assert!(parse("2026-01-05").is_ok());
        for bad in [
            "-2026-01-01",
            "+002026-01-01",
            "0000-01-01",
            "2026-2-3",
            " 2026-01-01",
            "2026-01-01 ",
            "2026-02-30",
            "2026/01/01",
            "",
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains("YYYY-MM-DD"), "{bad}: {err}");
        }
    }
}
