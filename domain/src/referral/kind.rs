//! The closed sets a referral is described by: its kind of support and its status.

string_enum! {
    /// The kind of follow-up support a referral asks for.
    pub enum ReferralKind ("referral kind") {
        Housing => "housing",
        /// Beschermd wonen.
        ShelteredHousing => "sheltered_housing",
        /// Income support and schuldhulpverlening.
        IncomeAndDebt => "income_and_debt",
        /// Dagbesteding and re-integratie.
        WorkAndDaytimeActivity => "work_and_daytime_activity",
        /// Ervaringsdeskundigen.
        PeerSupport => "peer_support",
        /// AA, NA, SMART.
        SelfHelpGroup => "self_help_group",
        /// Support for naasten.
        FamilySupport => "family_support",
        /// Nazorg by the treating provider.
        Aftercare => "aftercare",
        GeneralPractitioner => "general_practitioner",
        /// Wmo-begeleiding.
        WmoSupport => "wmo_support",
        Other => "other",
    }
}

string_enum! {
    /// Where a referral stands, after FHIR Task and the iWmo moments.
    pub enum ReferralStatus ("referral status") {
        /// Sent; nobody has acknowledged it (iWmo 315 sent).
        Requested => "requested",
        /// The recipient acknowledged it (the melding is in).
        Received => "received",
        /// The recipient investigates (Wmo onderzoek, "in onderzoek").
        UnderAssessment => "under_assessment",
        /// The recipient will provide support from the planned start (iWmo 301).
        Accepted => "accepted",
        Rejected => "rejected",
        /// Support has started (iWmo 305).
        InProgress => "in_progress",
        /// Support ended as intended (iWmo 307).
        Completed => "completed",
        /// Support ended without its goal.
        Failed => "failed",
        /// The referrer withdrew the request before work started.
        Cancelled => "cancelled",
    }
}

impl ReferralStatus {
    /// Open referrals still lead somewhere; closed ones never change again.
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            ReferralStatus::Requested
                | ReferralStatus::Received
                | ReferralStatus::UnderAssessment
                | ReferralStatus::Accepted
                | ReferralStatus::InProgress
        )
    }

    /// The statuses in which follow-up is in place: agreed or under way.
    pub const fn is_follow_up_in_place(self) -> bool {
        matches!(self, ReferralStatus::Accepted | ReferralStatus::InProgress)
    }
}

string_enum! {
    /// Why a recipient turned a referral down: coded, so the requester's system can route
    /// on it (a full service is worth asking again later; an ineligible client is not).
    pub enum RejectionReason ("rejection reason") {
        /// No room now.
        NoCapacity => "no_capacity",
        /// The client does not meet the service's criteria.
        NotEligible => "not_eligible",
        /// The client does not want this support.
        ClientDeclined => "client_declined",
        /// The client could not be reached.
        NotReachable => "not_reachable",
        /// Any other reason; the text says which.
        Other => "other",
    }
}

impl Default for RejectionReason {
    /// Rejections recorded before reasons were coded carry only their text.
    fn default() -> Self {
        RejectionReason::Other
    }
}

string_enum! {
    /// What a party does to a referral.
    pub enum ReferralAction ("referral action") {
        Acknowledge => "acknowledge",
        Assess => "assess",
        Accept => "accept",
        Reject => "reject",
        Start => "start",
        Complete => "complete",
        Fail => "fail",
        Cancel => "cancel",
    }
}

/// The two parties of a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The treating provider that sent it.
    Requester,
    /// The organisation it is addressed to.
    Recipient,
}
