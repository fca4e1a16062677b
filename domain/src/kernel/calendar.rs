//! Dutch working days and statutory terms: weekends and the general holidays of the
//! Algemene termijnenwet (art. 3) do not count: New Year's Day, Easter Monday, King's Day
//! (27 April, or 26 April when the 27th is a Sunday), Liberation Day (5 May, every year:
//! only collective labour agreements limit it to every fifth year), Ascension Day, Whit
//! Monday, Christmas Day and Boxing Day. A statutory term that ends on one of those days
//! ends on the next day that is none of them (art. 1).

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Easter Sunday of `year` (Gregorian), by the anonymous Gregorian algorithm (Meeus).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Whether `date` is a Dutch national public holiday (as counted here).
pub fn is_public_holiday(date: NaiveDate) -> bool {
    let (year, month, day) = (date.year(), date.month(), date.day());
    let fixed = matches!((month, day), (1, 1) | (5, 5) | (12, 25) | (12, 26));
    let kings_day = NaiveDate::from_ymd_opt(year, 4, 27).map(|d| {
        if d.weekday() == Weekday::Sun {
            d - Days::new(1)
        } else {
            d
        }
    });
    let easter_based = easter_sunday(year).is_some_and(|easter| {
        [1u64, 39, 50]
            .iter()
            .any(|offset| easter.checked_add_days(Days::new(*offset)) == Some(date))
    });
    fixed || kings_day == Some(date) || easter_based
}

pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(date)
}

/// The day a statutory term that would end on `date` really ends (Algemene termijnenwet
/// art. 1): `date`, or the next working day when it falls on a weekend or holiday.
pub fn term_end(date: NaiveDate) -> NaiveDate {
    let mut end = date;
    while !is_working_day(end) {
        match end.succ_opt() {
            Some(next) => end = next,
            None => break,
        }
    }
    end
}

/// The date `n` working days after `date` (which itself does not count).
pub fn add_working_days(date: NaiveDate, n: u32) -> NaiveDate {
    let mut current = date;
    let mut left = n;
    while left > 0 {
        current = current.succ_opt().unwrap_or(current);
        if is_working_day(current) {
            left -= 1;
        }
    }
    current
}

/// The first instant of `date` (deadlines fall at 00:00 UTC of the day they pass).
pub fn start_of(date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn easter_dates_match_the_calendar() {
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
    }

    #[test]
    fn holidays_of_2026_and_2030() {
        for holiday in [
            d(2026, 1, 1),
            d(2026, 4, 6),
            d(2026, 4, 27),
            d(2026, 5, 14),
            d(2026, 5, 25),
            d(2026, 12, 25),
            d(2026, 12, 26),
        ] {
            assert!(is_public_holiday(holiday), "{holiday}");
        }
        for year in 2026..=2030 {
            assert!(
                is_public_holiday(d(year, 5, 5)),
                "Liberation Day counts every year for statutory terms ({year})"
            );
        }
        assert!(
            !is_public_holiday(d(2026, 4, 3)),
            "Good Friday is not counted"
        );
        // 27 April 2025 was a Sunday: King's Day moved to Saturday 26 April.
        assert!(is_public_holiday(d(2025, 4, 26)));
        assert!(!is_public_holiday(d(2025, 4, 27)));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Wednesday 25 Nov 2026 + 5 working days = Wednesday 2 Dec.
        assert_eq!(add_working_days(d(2026, 11, 25), 5), d(2026, 12, 2));
        // Friday 18 Dec 2026 + 5: Mon 21, Tue 22, Wed 23, Thu 24, (25, 26 holidays; 27 Sunday) Mon 28.
        assert_eq!(add_working_days(d(2026, 12, 18), 5), d(2026, 12, 28));
        // Thursday 2 Apr 2026 + 2: Fri 3, (Easter Monday 6 April) Tue 7.
        assert_eq!(add_working_days(d(2026, 4, 2), 2), d(2026, 4, 7));
        assert_eq!(add_working_days(d(2026, 4, 2), 0), d(2026, 4, 2));
        // Monday 4 May 2026 + 1: (Tuesday 5 May) Wednesday 6 May.
        assert_eq!(add_working_days(d(2026, 5, 4), 1), d(2026, 5, 6));
    }

    #[test]
    fn a_term_ending_on_a_weekend_or_holiday_ends_on_the_next_working_day() {
        assert_eq!(term_end(d(2026, 12, 2)), d(2026, 12, 2), "a Wednesday");
        assert_eq!(
            term_end(d(2026, 12, 5)),
            d(2026, 12, 7),
            "Saturday to Monday"
        );
        assert_eq!(
            term_end(d(2026, 12, 25)),
            d(2026, 12, 28),
            "Christmas, Boxing Day, Sunday"
        );
        assert_eq!(
            term_end(d(2026, 5, 5)),
            d(2026, 5, 6),
            "Liberation Day 2026"
        );
    }
}
