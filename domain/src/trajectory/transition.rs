//! The trajectory state machine: one exhaustive table of the allowed moves, and the
//! command that asks for one.

use chrono::NaiveDate;

use crate::kernel::text::BoundedText;
use crate::trajectory::phase::Phase;

/// The kinds of move a trajectory can make. Each kind decides which reason it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// treatment → transition: a planned end date is set, follow-up is being arranged.
    BeginTransition,
    /// transition → treatment: treatment is extended.
    ExtendTreatment,
    /// treatment/transition → social_support/closed: treatment ends, with an end reason.
    EndTreatment,
    /// social_support → treatment: relapse or re-admission.
    Readmit,
    /// social_support → closed: the trajectory ends, with an outcome.
    Close,
}

/// The transition table. Every pair of phases is listed, so adding a phase does not
/// compile until its moves are decided here.
pub const fn move_between(from: Phase, to: Phase) -> Option<Move> {
    use Phase::{Closed, SocialSupport, Transition, Treatment};
    match (from, to) {
        (Treatment, Transition) => Some(Move::BeginTransition),
        (Transition, Treatment) => Some(Move::ExtendTreatment),
        (Treatment | Transition, SocialSupport | Closed) => Some(Move::EndTreatment),
        (SocialSupport, Treatment) => Some(Move::Readmit),
        (SocialSupport, Closed) => Some(Move::Close),
        (Treatment, Treatment)
        | (Transition, Transition)
        | (SocialSupport, Transition | SocialSupport)
        | (Closed, Treatment | Transition | SocialSupport | Closed) => None,
    }
}

/// The phases reachable from `from` in one move, in declaration order.
pub fn allowed_targets(from: Phase) -> Vec<Phase> {
    Phase::ALL
        .iter()
        .copied()
        .filter(|to| move_between(from, *to).is_some())
        .collect()
}

/// A request to move a trajectory, as it arrives from outside. The reason is still text:
/// which set of reasons applies depends on the move, so the trajectory parses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionCommand {
    pub to: Phase,
    pub reason: Option<String>,
    /// The date the change takes effect; today unless the caller back-dates it.
    pub effective_on: NaiveDate,
    /// Required when moving to `transition`; optional when returning to `treatment`.
    pub planned_end_on: Option<NaiveDate>,
    /// When treatment ends: the clinician's reason why no follow-up is needed, if so.
    pub no_follow_up_reason: Option<BoundedText>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_documented_moves() {
        use Phase::*;
        assert_eq!(
            allowed_targets(Treatment),
            vec![Transition, SocialSupport, Closed]
        );
        assert_eq!(
            allowed_targets(Transition),
            vec![Treatment, SocialSupport, Closed]
        );
        assert_eq!(allowed_targets(SocialSupport), vec![Treatment, Closed]);
        assert_eq!(allowed_targets(Closed), Vec::<Phase>::new());
    }

    #[test]
    fn no_phase_moves_to_itself() {
        for phase in Phase::ALL {
            assert_eq!(move_between(*phase, *phase), None);
        }
    }
}
