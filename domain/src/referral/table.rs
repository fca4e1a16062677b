//! The referral state machine: one table saying, for every action, who may take it, from
//! which statuses, and where it leads.

use crate::referral::kind::{Party, ReferralAction, ReferralStatus};

/// One row of the table.
pub struct Rule {
    pub action: ReferralAction,
    pub party: Party,
    pub from: &'static [ReferralStatus],
    pub to: ReferralStatus,
}

use Party::{Recipient, Requester};
use ReferralAction as A;
use ReferralStatus as S;

pub const RULES: &[Rule] = &[
    Rule {
        action: A::Acknowledge,
        party: Recipient,
        from: &[S::Requested],
        to: S::Received,
    },
    // Allowed once: nothing leads back to `received`.
    Rule {
        action: A::Assess,
        party: Recipient,
        from: &[S::Received],
        to: S::UnderAssessment,
    },
    Rule {
        action: A::Accept,
        party: Recipient,
        from: &[S::Received, S::UnderAssessment],
        to: S::Accepted,
    },
    Rule {
        action: A::Reject,
        party: Recipient,
        from: &[S::Received, S::UnderAssessment],
        to: S::Rejected,
    },
    Rule {
        action: A::Start,
        party: Recipient,
        from: &[S::Accepted],
        to: S::InProgress,
    },
    Rule {
        action: A::Complete,
        party: Recipient,
        from: &[S::InProgress],
        to: S::Completed,
    },
    Rule {
        action: A::Fail,
        party: Recipient,
        from: &[S::InProgress],
        to: S::Failed,
    },
    // Before work starts.
    Rule {
        action: A::Cancel,
        party: Requester,
        from: &[S::Requested, S::Received, S::UnderAssessment, S::Accepted],
        to: S::Cancelled,
    },
];

/// The rule for `action`; every action has exactly one.
pub fn rule(action: ReferralAction) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.action == action)
        .unwrap_or_else(|| unreachable!("every referral action has a rule"))
}

/// The actions `party` may take on a referral in `status`.
pub fn allowed_actions(status: ReferralStatus, party: Party) -> Vec<ReferralAction> {
    RULES
        .iter()
        .filter(|r| r.party == party && r.from.contains(&status))
        .map(|r| r.action)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_exactly_one_rule() {
        for action in ReferralAction::ALL {
            assert_eq!(
                RULES.iter().filter(|r| r.action == *action).count(),
                1,
                "{action}"
            );
        }
    }

    #[test]
    fn closed_statuses_allow_nothing() {
        for status in ReferralStatus::ALL.iter().filter(|s| !s.is_open()) {
            assert!(
                allowed_actions(*status, Party::Recipient).is_empty(),
                "{status}"
            );
            assert!(
                allowed_actions(*status, Party::Requester).is_empty(),
                "{status}"
            );
        }
    }

    #[test]
    fn rules_lead_from_open_statuses() {
        for rule in RULES {
            assert!(rule.from.iter().all(|s| s.is_open()));
            assert!(!rule.from.contains(&rule.to));
        }
    }
}
