//! The client's explicit consent to share with one organisation (AVG art. 9): who recorded
//! it, when, for what, until when, and its withdrawal.

use crate::kernel::value::FieldError;
use chrono::{DateTime, NaiveDate, Utc};

pub mod error;

use crate::consent::error::ConsentError;
use crate::kernel::actor::Actor;
use crate::kernel::ids::{ConsentId, TrajectoryId};
use crate::kernel::org_id::OrgId;
use crate::kernel::text::BoundedText;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: ConsentId,
    pub trajectory_id: TrajectoryId,
    /// The organisation the client agreed to share with.
    pub organisation: OrgId,
    /// What sharing is for, in the recorder's words (e.g. "Wmo-ondersteuning wonen").
    pub purpose: BoundedText,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub recorded_by: Actor,
    pub recorded_at: DateTime<Utc>,
    pub withdrawal: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub withdrawn_at: DateTime<Utc>,
    pub withdrawn_by: Actor,
    pub reason: Option<BoundedText>,
}

/// What a provider supplies to record consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentGrant {
    pub organisation: OrgId,
    pub purpose: BoundedText,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

impl Consent {
    /// The consent's version for `ETag`/`If-Match`: 1 as recorded, 2 once withdrawn
    /// (withdrawal is the only change a consent ever takes).
    pub fn version(&self) -> u32 {
        1 + u32::from(self.withdrawal.is_some())
    }

    pub fn record(
        id: ConsentId,
        trajectory_id: TrajectoryId,
        grant: ConsentGrant,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Consent, ConsentError> {
        let today = now.date_naive();
        if grant.given_on > today {
            return Err(FieldError::DateInFuture {
                field: "given_on",
                date: grant.given_on,
            }
            .into());
        }
        // A consent covers the days before it expires: expiring the day it is given would
        // cover none, so `expires_on` must be strictly later.
        if let Some(expires) = grant.expires_on
            && expires <= grant.given_on
        {
            return Err(FieldError::DatesNotAfter {
                earlier: "given_on",
                earlier_date: grant.given_on,
                later: "expires_on",
                later_date: expires,
            }
            .into());
        }
        Ok(Consent {
            id,
            trajectory_id,
            organisation: grant.organisation,
            purpose: grant.purpose,
            given_on: grant.given_on,
            expires_on: grant.expires_on,
            recorded_by: actor,
            recorded_at: now,
            withdrawal: None,
        })
    }

    /// Whether the consent allows sharing with `organisation` on `today`.
    pub fn covers(&self, organisation: OrgId, today: NaiveDate) -> bool {
        self.organisation == organisation
            && self.withdrawal.is_none()
            && self.given_on <= today
            && self.expires_on.is_none_or(|expires| today < expires)
    }

    /// Withdraws the consent; withdrawing twice is refused so the first record stands.
    pub fn withdraw(
        &mut self,
        actor: Actor,
        reason: Option<BoundedText>,
        now: DateTime<Utc>,
    ) -> Result<(), ConsentError> {
        if self.withdrawal.is_some() {
            return Err(ConsentError::ConsentAlreadyWithdrawn);
        }
        self.withdrawal = Some(Withdrawal {
            withdrawn_at: now,
            withdrawn_by: actor,
            reason,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::kernel::actor::Subject;

    fn actor() -> Actor {
        Actor {
            subject: Subject::parse("clinician").expect("subject"),
            org: "agb:12345678".parse().expect("org"),
        }
    }

    fn consent(expires_on: Option<NaiveDate>) -> Consent {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 25, 10, 0, 0)
            .single()
            .expect("time");
        let grant = ConsentGrant {
            organisation: "gemeente:0268".parse().expect("org"),
            purpose: BoundedText::parse("purpose", "Wmo", 200).expect("text"),
            given_on: NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
            expires_on,
        };
        Consent::record(
            ConsentId::new_at(now),
            TrajectoryId::new_at(now),
            grant,
            actor(),
            now,
        )
        .expect("records")
    }

    #[test]
    fn expiring_the_day_it_is_given_is_refused_with_a_message_that_says_so() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let grant = ConsentGrant {
            organisation: "gemeente:0268".parse().expect("org"),
            purpose: BoundedText::parse("purpose", "Wmo", 100).expect("text"),
            given_on: day,
            expires_on: Some(day),
        };
        let now = day.and_hms_opt(12, 0, 0).expect("time").and_utc();
        let err = Consent::record(
            ConsentId::new_at(now),
            TrajectoryId::new_at(now),
            grant,
            actor(),
            now,
        )
        .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "`expires_on` (2026-03-01) must be after `given_on` (2026-03-01)"
        );
    }

    #[test]
    fn covers_only_its_organisation_until_expiry_or_withdrawal() {
        let nijmegen: OrgId = "gemeente:0268".parse().expect("org");
        let amsterdam: OrgId = "gemeente:0363".parse().expect("org");
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        let mut c = consent(Some(day(10)));
        assert!(c.covers(nijmegen, day(9)));
        assert!(!c.covers(nijmegen, day(10)), "expired on its expiry date");
        assert!(!c.covers(amsterdam, day(9)));
        c.withdraw(actor(), None, Utc::now()).expect("withdraws");
        assert!(!c.covers(nijmegen, day(1)));
        assert_eq!(
            c.withdraw(actor(), None, Utc::now()),
            Err(ConsentError::ConsentAlreadyWithdrawn)
        );
    }
}
