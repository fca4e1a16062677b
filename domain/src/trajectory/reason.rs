//! Closed sets of reasons that transitions carry.

use crate::trajectory::phase::Phase;

string_enum! {
    /// Why treatment ended.
    pub enum EndReason ("end reason") {
        PlannedCompletion => "planned_completion",
        Dropout => "dropout",
        ClientChoice => "client_choice",
        ReferredElsewhere => "referred_elsewhere",
        Moved => "moved",
        Deceased => "deceased",
    }
}

string_enum! {
    /// Why a client in social support returns to treatment.
    pub enum ReadmissionReason ("readmission reason") {
        /// Terugval.
        Relapse => "relapse",
        /// Heraanmelding for another reason.
        Readmission => "readmission",
    }
}

string_enum! {
    /// How a trajectory that reached social support was closed.
    pub enum ClosureOutcome ("closure outcome") {
        GoalsAchieved => "goals_achieved",
        SupportNoLongerNeeded => "support_no_longer_needed",
        ClientWithdrew => "client_withdrew",
        LostToContact => "lost_to_contact",
        ReferredElsewhere => "referred_elsewhere",
        Moved => "moved",
        Deceased => "deceased",
    }
}

string_enum! {
    /// The phase a trajectory enters when its treatment ends.
    pub enum AfterTreatment ("phase after treatment") {
        SocialSupport => "social_support",
        Closed => "closed",
    }
}

impl AfterTreatment {
    /// The phase that ending treatment this way leads to.
    pub fn phase(self) -> Phase {
        match self {
            AfterTreatment::SocialSupport => Phase::SocialSupport,
            AfterTreatment::Closed => Phase::Closed,
        }
    }
}
