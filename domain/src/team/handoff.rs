//! The warm handoff (warme overdracht): a meeting of the client with the old and the new
//! professional (and a naaste if the client wants) before treatment ends, planned for one
//! referral, and its outcome.

use crate::kernel::value::FieldError;
use chrono::{DateTime, Utc};

use crate::kernel::actor::Actor;
use crate::kernel::ids::{MeetingId, ParticipantId, ReferralId, TrajectoryId};
use crate::kernel::text::BoundedText;
use crate::team::error::TeamError;
use crate::team::status::MeetingStatus;

/// What happened to a planned meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandoffOutcome {
    Held,
    Postponed { to: DateTime<Utc> },
    NotHeld { reason: BoundedText },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: MeetingId,
    pub referral_id: ReferralId,
    pub trajectory_id: TrajectoryId,
    pub planned_at: DateTime<Utc>,
    pub participants: Vec<ParticipantId>,
    pub status: MeetingStatus,
    pub reason: Option<BoundedText>,
    pub recorded_by: Actor,
    pub updated_at: DateTime<Utc>,
    pub version: u32,
}

impl Meeting {
    pub fn plan(
        id: MeetingId,
        referral_id: ReferralId,
        trajectory_id: TrajectoryId,
        planned_at: DateTime<Utc>,
        participants: Vec<ParticipantId>,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Meeting {
        Meeting {
            id,
            referral_id,
            trajectory_id,
            planned_at,
            participants,
            status: MeetingStatus::Planned,
            reason: None,
            recorded_by: actor,
            updated_at: now,
            version: 1,
        }
    }

    /// Records what happened; only a planned meeting has an outcome. A postponed meeting
    /// stays planned, at its new time.
    pub fn record(
        &mut self,
        outcome: HandoffOutcome,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<(), TeamError> {
        if self.status != MeetingStatus::Planned {
            return Err(TeamError::MeetingClosed {
                status: self.status,
            });
        }
        match outcome {
            HandoffOutcome::Held => {
                if self.planned_at > now {
                    return Err(FieldError::FieldRule {
                        field: "outcome",
                        rule: "a meeting is held at or after its planned time",
                    }
                    .into());
                }
                self.status = MeetingStatus::Held;
            }
            HandoffOutcome::Postponed { to } => {
                self.planned_at = to;
            }
            HandoffOutcome::NotHeld { reason } => {
                self.status = MeetingStatus::NotHeld;
                self.reason = Some(reason);
            }
        }
        self.recorded_by = actor;
        self.updated_at = now;
        self.version += 1;
        Ok(())
    }

    /// A meeting that counts as the warm handoff: planned (to come) or held.
    pub fn counts(&self) -> bool {
        matches!(self.status, MeetingStatus::Planned | MeetingStatus::Held)
    }
}
