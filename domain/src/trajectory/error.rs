//! Why a trajectory refused a registration or a transition. Nothing changes when one is returned.

use crate::kernel::value::{FieldError, UnknownValue};
use crate::trajectory::phase::Phase;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrajectoryError {
    #[error("a trajectory cannot move from `{from}` to `{to}`; allowed from `{from}`: {}", list(.allowed))]
    IllegalTransition {
        from: Phase,
        to: Phase,
        allowed: Vec<Phase>,
    },
    #[error("moving from `{from}` to `{to}` requires a `reason`, one of: {}", .expected.join(", "))]
    ReasonRequired {
        from: Phase,
        to: Phase,
        expected: &'static [&'static str],
    },
    #[error("moving from `{from}` to `{to}` takes no `reason`")]
    ReasonNotApplicable { from: Phase, to: Phase },
    #[error(transparent)]
    UnknownReason(#[from] UnknownValue),
    #[error("end reason `deceased` closes the trajectory; use `to: closed`")]
    DeceasedMustClose,
    #[error("`planned_end_on` is required when moving to `transition`")]
    PlannedEndRequired,
    #[error("`planned_end_on` only applies when moving to `transition` or back to `treatment`")]
    PlannedEndNotApplicable,
    #[error("`no_follow_up_reason` only applies when treatment ends")]
    NoFollowUpNotApplicable,
    #[error(transparent)]
    Field(#[from] FieldError),
}

fn list(phases: &[Phase]) -> String {
    if phases.is_empty() {
        return "none (the trajectory is closed)".to_owned();
    }
    phases
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
