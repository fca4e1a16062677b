//! Where a handoff meeting stands: its own file, so the team's error and rules both name it.

string_enum! {
    /// Where a handoff meeting stands.
    pub enum MeetingStatus ("meeting status") {
        Planned => "planned",
        Held => "held",
        /// Moved to a new date (and planned again).
        Postponed => "postponed",
        NotHeld => "not_held",
    }
}
