//! The source of the current time, injected so tests can set it instead of sleeping.

use chrono::{DateTime, SubsecRound, Utc};

pub trait Clock: Send + Sync + 'static {
    /// The current time, at microsecond precision: what PostgreSQL stores, so a response
    /// built before a write equals what a later read returns.
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// The wall clock shifted by a fixed offset (`HERSTELBRUG_CLOCK_OFFSET_SECONDS`).
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock(pub chrono::Duration);

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        SystemClock.now() + self.0
    }
}
