//! Outcome checks: when a trajectory closes with follow-up in place, the provider checks
//! how the client is doing after 30 and 90 days (configurable defaults) and records it.

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::kernel::actor::Actor;
use crate::kernel::ids::TrajectoryId;
use crate::kernel::value::FieldError;
use crate::referral::{Referral, ReferralStatus};
use crate::trajectory::Trajectory;
use crate::trajectory::phase::Phase;
use crate::trajectory::reason::EndReason;

string_enum! {
    /// How the client is doing at an outcome check.
    pub enum CheckOutcome ("check outcome") {
        Stable => "stable",
        SupportContinuing => "support_continuing",
        Relapse => "relapse",
        LostContact => "lost_contact",
        DeclinedToAnswer => "declined_to_answer",
    }
}

/// When checks fall due and when they count as overdue (configurable defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomePolicy {
    /// Days after closure each check falls due.
    pub check_days: [u32; 2],
    /// Days past its due date after which an unrecorded check raises a warning.
    pub overdue_days: u32,
}

impl Default for OutcomePolicy {
    fn default() -> Self {
        Self {
            check_days: [30, 90],
            overdue_days: 14,
        }
    }
}

/// A recorded outcome check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeCheck {
    pub trajectory_id: TrajectoryId,
    /// Which check: the days after closure it was due.
    pub after_days: u32,
    pub outcome: CheckOutcome,
    pub checked_on: NaiveDate,
    pub recorded_by: Actor,
    pub recorded_at: DateTime<Utc>,
}

/// The checks a trajectory owes, with their due dates: only once it closed (not by death)
/// with follow-up in place (a referral accepted, started or completed).
pub fn checks_due(
    trajectory: &Trajectory,
    referrals: &[Referral],
    policy: &OutcomePolicy,
) -> Vec<(u32, NaiveDate)> {
    let follow_up = referrals.iter().any(|r| {
        matches!(
            r.status,
            ReferralStatus::Accepted | ReferralStatus::InProgress | ReferralStatus::Completed
        )
    });
    if trajectory.phase != Phase::Closed
        || trajectory.end_reason == Some(EndReason::Deceased)
        || !follow_up
    {
        return Vec::new();
    }
    policy
        .check_days
        .iter()
        .filter_map(|days| {
            trajectory
                .phase_since
                .checked_add_days(Days::new((*days).into()))
                .map(|due| (*days, due))
        })
        .collect()
}

impl OutcomeCheck {
    /// Records check `after_days` of `trajectory`: one of the checks it `owes`
    /// ([`checks_due`]), dated between closure and today.
    pub fn record(
        trajectory: &Trajectory,
        owes: &[(u32, NaiveDate)],
        after_days: u32,
        outcome: CheckOutcome,
        checked_on: NaiveDate,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<OutcomeCheck, FieldError> {
        if !owes.iter().any(|(days, _)| *days == after_days) {
            return Err(FieldError::FieldRule {
                field: "after_days",
                rule: "no such check is owed: checks follow a closure with follow-up in place, after the configured days",
            });
        };
        if checked_on > now.date_naive() {
            return Err(FieldError::DateInFuture {
                field: "checked_on",
                date: checked_on,
            });
        }
        if checked_on < trajectory.phase_since {
            return Err(FieldError::DatesOutOfOrder {
                earlier: "closed on",
                earlier_date: trajectory.phase_since,
                later: "checked_on",
                later_date: checked_on,
            });
        }
        Ok(OutcomeCheck {
            trajectory_id: trajectory.id,
            after_days,
            outcome,
            checked_on,
            recorded_by: actor,
            recorded_at: now,
        })
    }
}
