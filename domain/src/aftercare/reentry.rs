//! Re-entry: a relapse after closure starts a new trajectory linked to the previous one;
//! within the re-admission window of the closure it counts as a re-admission.

use chrono::{Days, NaiveDate};

/// The re-admission window after closure (policy default, as the NZa-style 90 days).
pub const READMISSION_DAYS: u32 = 90;

/// Whether a trajectory starting on `started_on` re-admits a client whose previous one
/// closed on `closed_on`.
pub fn is_readmission(closed_on: NaiveDate, started_on: NaiveDate) -> bool {
    started_on >= closed_on
        && closed_on
            .checked_add_days(Days::new(READMISSION_DAYS.into()))
            .is_some_and(|until| started_on <= until)
}
