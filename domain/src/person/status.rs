//! Where an invitation stands: its own file, so the rules and the errors can both name it
//! without importing each other.

string_enum! {
    /// Where an invitation stands.
    pub enum InvitationStatus ("invitation status") {
        Open => "open",
        Redeemed => "redeemed",
        Revoked => "revoked",
        Expired => "expired",
    }
}
