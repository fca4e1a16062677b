//! Redeeming invitation codes is rate-limited per person: after five wrong codes within a
//! quarter of an hour, redemption is locked for a quarter of an hour. With 128-bit codes
//! guessing is hopeless anyway; the lock keeps a script from trying at all.

use chrono::{DateTime, Duration, Utc};

use crate::person::error::PersonError;

pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::minutes(15);
pub const LOCK: Duration = Duration::minutes(15);

/// One person's recent wrong codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub failures: u32,
    pub window_started_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl Attempts {
    pub fn none(now: DateTime<Utc>) -> Self {
        Self {
            failures: 0,
            window_started_at: now,
            locked_until: None,
        }
    }

    /// Refused while locked.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), PersonError> {
        match self.locked_until {
            Some(until) if now < until => Err(PersonError::LockedOut {
                until,
                retry_after: u64::try_from((until - now).num_seconds())
                    .unwrap_or(0)
                    .max(1),
            }),
            _ => Ok(()),
        }
    }

    /// The attempts after one more wrong code at `now`: a new window once the old one
    /// passed, and a lock at the fifth failure within one window.
    pub fn after_failure(self, now: DateTime<Utc>) -> Attempts {
        let fresh = now >= self.window_started_at + WINDOW
            || self.locked_until.is_some_and(|until| now >= until);
        let (failures, started) = if fresh {
            (1, now)
        } else {
            (self.failures + 1, self.window_started_at)
        };
        Attempts {
            failures,
            window_started_at: started,
            locked_until: (failures >= MAX_FAILURES)
                .then_some(now + LOCK)
                .or(self.locked_until.filter(|until| now < *until)),
        }
    }
}
