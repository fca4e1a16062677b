//! Fixtures shared by the domain's unit tests.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::kernel::actor::{Actor, Subject};
use crate::kernel::org_id::{AgbCode, OrgId};

/// Noon UTC on a day.
pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
        .single()
        .expect("valid time")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The treating provider of the tests, `agb:12345678`.
pub fn provider() -> AgbCode {
    AgbCode::parse("12345678").expect("valid agb")
}

pub fn nijmegen() -> OrgId {
    "gemeente:0268".parse().expect("valid org")
}

pub fn actor(org: OrgId) -> Actor {
    Actor {
        subject: Subject::parse("someone").expect("valid subject"),
        org: org.into(),
    }
}
