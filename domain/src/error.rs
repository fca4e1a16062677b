//! Errors of the domain layer: invalid values at the edge and refused commands.

use crate::org_id::OrgId;
use crate::phase::Phase;
use crate::referral::{ReferralAction, ReferralStatus};

/// A name that is not one of a closed set; the message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{got}`; expected one of: {}", .expected.join(", "))]
pub struct UnknownValue {
    pub what: &'static str,
    pub got: String,
    pub expected: &'static [&'static str],
}

impl UnknownValue {
    pub fn new(what: &'static str, got: &str, expected: &'static [&'static str]) -> Self {
        // Bound what we echo back: the input may be arbitrarily long.
        let got: String = got.chars().take(64).collect();
        Self {
            what,
            got,
            expected,
        }
    }
}

/// A value that does not have the required form (an identifier, a reference).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: {rule}")]
pub struct InvalidValue {
    pub what: &'static str,
    pub rule: &'static str,
}

/// Why the domain refused a command. Nothing changes when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
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
    #[error("`{later}` ({later_date}) must not be before `{earlier}` ({earlier_date})")]
    DatesOutOfOrder {
        earlier: &'static str,
        earlier_date: chrono::NaiveDate,
        later: &'static str,
        later_date: chrono::NaiveDate,
    },
    #[error("`{later}` ({later_date}) must be after `{earlier}` ({earlier_date})")]
    DatesNotAfter {
        earlier: &'static str,
        earlier_date: chrono::NaiveDate,
        later: &'static str,
        later_date: chrono::NaiveDate,
    },
    #[error("`no_follow_up_reason` only applies when treatment ends")]
    NoFollowUpNotApplicable,
    #[error("the alert is already {0}")]
    AlertAlready(crate::continuity::AlertStatus),
    #[error("service: {reason}")]
    ServiceNotTakingReferral { reason: &'static str },
    #[error("`{field}`: {rule}")]
    FieldRule {
        field: &'static str,
        rule: &'static str,
    },
    #[error("the meeting is {status} already; plan a new one")]
    MeetingClosed { status: crate::team::MeetingStatus },
    #[error("`candidates`: an offer goes to 2 to 5 candidates, not {got}")]
    CandidateCount { got: usize },
    #[error("`candidates`: {organisation} is named twice")]
    CandidateTwice { organisation: OrgId },
    #[error("the offer is {status}: another candidate was selected, or nobody accepted in time")]
    OfferClosed { status: crate::routing::OfferStatus },
    #[error("`recipient`: {organisation} is not a registered informal organisation")]
    UnregisteredRecipient { organisation: OrgId },
    #[error(
        "{organisation} is not a registered informal organisation; the operator registers it first"
    )]
    UnregisteredOwner { organisation: OrgId },
    #[error(
        "the trajectory is closed: it takes follow-up referrals only for a limited time after closure (not after death); a re-admission starts a new trajectory"
    )]
    TrajectoryClosed,
    #[error(
        "referring to {organisation} needs the client's recorded, unexpired consent for that organisation"
    )]
    ConsentRequired { organisation: OrgId },
    #[error("this consent was already withdrawn")]
    ConsentAlreadyWithdrawn,
    #[error("only the other party of the referral may `{action}` it")]
    NotYourAction { action: ReferralAction },
    #[error("a referral that is `{status}` cannot be `{action}`ed; allowed now: {}", actions(.allowed))]
    IllegalReferralAction {
        action: ReferralAction,
        status: ReferralStatus,
        allowed: Vec<ReferralAction>,
    },
    #[error("`{field}` is required to {action} a referral")]
    FieldRequired {
        field: &'static str,
        action: ReferralAction,
    },
    #[error("`{field}` ({date}) must not be in the future")]
    DateInFuture {
        field: &'static str,
        date: chrono::NaiveDate,
    },
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

fn actions(actions: &[ReferralAction]) -> String {
    if actions.is_empty() {
        return "none".to_owned();
    }
    actions
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
