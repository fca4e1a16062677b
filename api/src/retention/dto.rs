//! What the retention routes take and answer.

use chrono::{DateTime, Utc};
use herstelbrug_domain::retention::{KEPT_ON_ERASURE, REMOVED};
use herstelbrug_persistence::{ErasureOutcome, HoldState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A field erasure keeps, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeptField {
    pub field: String,
    pub why: String,
}

/// What an erasure did and kept.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErasureView {
    pub erased_at: DateTime<Utc>,
    /// False when the trajectory had been erased before: nothing more was removed.
    pub erased_now: bool,
    /// Referrals whose personal details went with it.
    pub referrals: usize,
    /// Every kind of personal field removed.
    pub removed: Vec<String>,
    /// Every field kept, with its legal or practical reason.
    pub kept: Vec<KeptField>,
}

impl From<ErasureOutcome> for ErasureView {
    fn from(outcome: ErasureOutcome) -> Self {
        Self {
            erased_at: outcome.erased_at,
            erased_now: outcome.now,
            referrals: outcome.referrals,
            removed: REMOVED.iter().map(|r| (*r).to_owned()).collect(),
            kept: KEPT_ON_ERASURE
                .iter()
                .map(|k| KeptField {
                    field: k.field.to_owned(),
                    why: k.why.to_owned(),
                })
                .collect(),
        }
    }
}

/// A legal hold: while present, neither erasure nor retention touches the trajectory.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalHoldRequest {
    /// Why: the case, the inquiry or the court order (1 to 500 characters).
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Klacht bij de tuchtrechter, zaaknummer T-2026-114"
    )]
    pub reason: String,
}

/// A trajectory's hold and erasure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegalHoldView {
    pub held: bool,
    pub reason: Option<String>,
    pub held_at: Option<DateTime<Utc>>,
    pub held_by: Option<String>,
    /// When its personal details were removed, if they were.
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<HoldState> for LegalHoldView {
    fn from(state: HoldState) -> Self {
        Self {
            held: state.hold_reason.is_some(),
            reason: state.hold_reason,
            held_at: state.held_at,
            held_by: state.held_by,
            erased_at: state.erased_at,
        }
    }
}
