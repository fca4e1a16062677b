//! The phases of a care trajectory.

string_enum! {
    /// Where a client is on the path from treatment to social-domain support.
    pub enum Phase ("phase") {
        /// Addiction treatment (behandeling) is ongoing.
        Treatment => "treatment",
        /// Treatment is winding down: a planned end date is set and follow-up is being arranged.
        Transition => "transition",
        /// Treatment is over; the client is supported in the social domain.
        SocialSupport => "social_support",
        /// The trajectory has ended. Terminal: a re-admission after closure is a new trajectory.
        Closed => "closed",
    }
}

impl Phase {
    /// Whether the client is still in (Zvw-funded) treatment in this phase.
    pub const fn in_treatment(self) -> bool {
        matches!(self, Phase::Treatment | Phase::Transition)
    }
}
