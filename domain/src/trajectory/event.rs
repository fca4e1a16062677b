//! The immutable events a trajectory's history consists of.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::actor::Actor;
use crate::kernel::client_ref::ClientRef;
use crate::kernel::ids::TrajectoryId;
use crate::kernel::org_id::GemeenteCode;
use crate::kernel::text::BoundedText;
use crate::trajectory::phase::Phase;
use crate::trajectory::reason::{AfterTreatment, ClosureOutcome, EndReason, ReadmissionReason};

/// What happened, with the data that only that kind of change carries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    Registered {
        client_ref: ClientRef,
        municipality: GemeenteCode,
        started_on: NaiveDate,
        planned_end_on: Option<NaiveDate>,
    },
    TransitionStarted {
        planned_end_on: NaiveDate,
    },
    TreatmentExtended {
        planned_end_on: Option<NaiveDate>,
    },
    TreatmentEnded {
        to: AfterTreatment,
        reason: EndReason,
        /// The clinician recorded that no follow-up is needed, and why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        no_follow_up_reason: Option<BoundedText>,
    },
    Readmitted {
        reason: ReadmissionReason,
        planned_end_on: Option<NaiveDate>,
    },
    Closed {
        outcome: ClosureOutcome,
    },
}

impl Change {
    pub const KINDS: &'static [&'static str] = &[
        "registered",
        "transition_started",
        "treatment_extended",
        "treatment_ended",
        "readmitted",
        "closed",
    ];

    pub const fn kind(&self) -> &'static str {
        match self {
            Change::Registered { .. } => "registered",
            Change::TransitionStarted { .. } => "transition_started",
            Change::TreatmentExtended { .. } => "treatment_extended",
            Change::TreatmentEnded { .. } => "treatment_ended",
            Change::Readmitted { .. } => "readmitted",
            Change::Closed { .. } => "closed",
        }
    }

    /// The reason or outcome the change carries, as its wire name.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Change::Registered { .. }
            | Change::TransitionStarted { .. }
            | Change::TreatmentExtended { .. } => None,
            Change::TreatmentEnded { reason, .. } => Some(reason.as_str()),
            Change::Readmitted { reason, .. } => Some(reason.as_str()),
            Change::Closed { outcome } => Some(outcome.as_str()),
        }
    }
}

/// One accepted command. `sequence` is the trajectory's version after this event, so
/// the first event of every trajectory has sequence 1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrajectoryEvent {
    pub trajectory_id: TrajectoryId,
    pub sequence: u32,
    pub from: Option<Phase>,
    pub to: Phase,
    pub change: Change,
    pub effective_on: NaiveDate,
    pub actor: Actor,
    pub recorded_at: DateTime<Utc>,
}
