//! Why a referral refused a request or an action. Nothing changes when one is returned.

use crate::kernel::org_id::OrgId;
use crate::kernel::value::FieldError;
use crate::referral::kind::{ReferralAction, ReferralStatus};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralError {
    #[error("`recipient`: {organisation} is not a registered informal organisation")]
    UnregisteredRecipient { organisation: OrgId },
    #[error(
        "the trajectory is closed: it takes follow-up referrals only for a limited time after closure (not after death); a re-admission starts a new trajectory"
    )]
    TrajectoryClosed,
    #[error(
        "referring to {organisation} needs the client's recorded, unexpired consent for that organisation"
    )]
    ConsentRequired { organisation: OrgId },
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
    #[error(transparent)]
    Field(#[from] FieldError),
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
