//! The history without its personal details: what erasure writes back into each stored
//! event, exhaustively per kind, so the history still reads (phases, dates, codes).

use uuid::Uuid;

use super::erasure::ERASED;
use crate::kernel::client_ref::ClientRef;
use crate::kernel::text::BoundedText;
use crate::referral::ReferralChange;
use crate::trajectory::event::Change;

fn erased_text() -> Option<BoundedText> {
    BoundedText::parse("reason", ERASED, 2000).ok()
}

/// A trajectory event's change with its free text and client reference gone.
pub fn trajectory_change(change: Change, trajectory: Uuid) -> Change {
    match change {
        Change::Registered {
            client_ref: _,
            municipality,
            started_on,
            planned_end_on,
        } => Change::Registered {
            client_ref: ClientRef::erased(trajectory),
            municipality,
            started_on,
            planned_end_on,
        },
        Change::TreatmentEnded {
            to,
            reason,
            no_follow_up_reason,
        } => Change::TreatmentEnded {
            to,
            reason,
            no_follow_up_reason: no_follow_up_reason.and_then(|_| erased_text()),
        },
        other @ (Change::TransitionStarted { .. }
        | Change::TreatmentExtended { .. }
        | Change::Readmitted { .. }
        | Change::Closed { .. }) => other,
    }
}

/// A referral event's change with its free text gone.
pub fn referral_change(change: ReferralChange) -> ReferralChange {
    match change {
        ReferralChange::Rejected { code, reason } => ReferralChange::Rejected {
            code,
            reason: reason.and_then(|_| erased_text()),
        },
        ReferralChange::Failed { reason, ended_on } => ReferralChange::Failed {
            reason: erased_text().unwrap_or(reason),
            ended_on,
        },
        ReferralChange::Cancelled { reason } => ReferralChange::Cancelled {
            reason: reason.and_then(|_| erased_text()),
        },
        other @ (ReferralChange::Requested { .. }
        | ReferralChange::Acknowledged
        | ReferralChange::AssessmentStarted { .. }
        | ReferralChange::Accepted { .. }
        | ReferralChange::Started { .. }
        | ReferralChange::Completed { .. }) => other,
    }
}

/// Whether a stored event of this kind can hold personal details at all (the others are
/// left alone, which keeps erasure to one update per trajectory or so).
pub fn may_hold_personal_data(kind: &str) -> bool {
    matches!(
        kind,
        "registered"
            | "treatment_ended"
            | "referral_rejected"
            | "referral_failed"
            | "referral_cancelled"
    )
}
