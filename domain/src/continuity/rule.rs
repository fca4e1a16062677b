//! The continuity rules' vocabulary: which rules there are, how severe each is, the
//! policy's deadlines, and what an alert is about.

use crate::aftercare::OutcomePolicy;
use crate::kernel::ids::{ReferralId, TrajectoryId};
use crate::kernel::org_id::OrgId;

string_enum! {
    /// The rules that raise alerts.
    pub enum Rule ("alert rule") {
        /// Treatment ended (to social support or closure) with no follow-up arranged.
        TreatmentEndedWithoutFollowup => "treatment_ended_without_followup",
        /// Treatment ended by dropout and no aftercare or outreach referral exists.
        DropoutWithoutOutreach => "dropout_without_outreach",
        /// The planned end of treatment is near and no follow-up is in place.
        EndApproachingWithoutFollowup => "end_approaching_without_followup",
        /// A referral is still unacknowledged after the iWmo answer period.
        ReferralUnacknowledged => "referral_unacknowledged",
        /// A municipality's Wmo assessment or decision is past its statutory term.
        WmoAssessmentOverdue => "wmo_assessment_overdue",
        /// An accepted referral has not started by its planned start, or starts beyond the norm.
        FollowupStartOverdue => "followup_start_overdue",
        /// In social support, no referral is active any more.
        SupportGap => "support_gap",
        /// An offer to several candidates expired with nobody accepting, and nothing of
        /// its kind is open or in place since.
        OfferExpired => "offer_expired",
        /// A referral is accepted, treatment ends within days, and no warm handoff
        /// meeting is planned or held.
        WarmHandoffMissing => "warm_handoff_missing",
        /// An outcome check after closure is overdue by more than two weeks.
        OutcomeCheckOverdue => "outcome_check_overdue",
    }
}

string_enum! {
    /// How urgent an alert is. A critical alert nobody acknowledges escalates once.
    pub enum Severity ("severity") {
        Warning => "warning",
        Critical => "critical",
        Escalated => "escalated",
    }
}

impl Rule {
    /// The gap alerts a client's municipality of residence also receives (with consent):
    /// the client fell out of care and its wijkteam can reach out.
    /// A gap: the client is, or is about to be, without care. The figures count these.
    pub const fn is_gap(self) -> bool {
        self.informs_municipality()
    }

    pub const fn informs_municipality(self) -> bool {
        matches!(
            self,
            Rule::TreatmentEndedWithoutFollowup | Rule::SupportGap | Rule::DropoutWithoutOutreach
        )
    }

    pub const fn severity(self) -> Severity {
        match self {
            Rule::TreatmentEndedWithoutFollowup
            | Rule::DropoutWithoutOutreach
            | Rule::SupportGap => Severity::Critical,
            Rule::EndApproachingWithoutFollowup
            | Rule::ReferralUnacknowledged
            | Rule::WmoAssessmentOverdue
            | Rule::FollowupStartOverdue
            | Rule::OfferExpired
            | Rule::WarmHandoffMissing
            | Rule::OutcomeCheckOverdue => Severity::Warning,
        }
    }
}

/// Thresholds of the rules (DOMAIN.md gives the defaults; all configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContinuityPolicy {
    /// Warn this many days before a planned treatment end without follow-up.
    pub early_warning_days: u32,
    /// Working days a recipient has to acknowledge a referral.
    pub acknowledge_working_days: u32,
    /// The longest acceptable wait from acceptance to planned start.
    pub start_norm_days: u32,
    /// Hours before an unacknowledged critical alert escalates.
    pub escalate_after_hours: u32,
    /// Days before the planned end of treatment by which an accepted referral's warm
    /// handoff should be planned.
    pub handoff_days: u32,
    /// When outcome checks after closure fall due and count as overdue.
    pub outcome: OutcomePolicy,
}

impl Default for ContinuityPolicy {
    fn default() -> Self {
        Self {
            early_warning_days: 14,
            acknowledge_working_days: 5,
            start_norm_days: 28,
            escalate_after_hours: 24,
            handoff_days: 7,
            outcome: OutcomePolicy::default(),
        }
    }
}

/// What an alert is about: the trajectory as a whole, or one of its referrals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Trajectory(TrajectoryId),
    Referral { id: ReferralId, recipient: OrgId },
}

impl Subject {
    pub fn referral_id(&self) -> Option<ReferralId> {
        match self {
            Subject::Trajectory(_) => None,
            Subject::Referral { id, .. } => Some(*id),
        }
    }
}
