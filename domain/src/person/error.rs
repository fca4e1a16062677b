//! Why the person's door refused a request. Nothing changes when one is returned.

use chrono::{DateTime, Utc};

use crate::person::status::InvitationStatus;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    /// No invitation has this code (a typing error, or a guess).
    #[error("`code`: this is not a valid invitation code; check it with the person who gave it")]
    UnknownCode,
    #[error("this invitation is {status}: ask for a new one")]
    InvitationClosed { status: InvitationStatus },
    /// Too many wrong codes in a row: redemption is locked for a while.
    #[error("too many wrong invitation codes; try again after {until}")]
    LockedOut {
        until: DateTime<Utc>,
        /// Seconds from the refusal to `until`, at least 1.
        retry_after: u64,
    },
    /// A naaste is invited only as a participant of the trajectory who takes part with
    /// the client's involvement consent and has not left.
    #[error(
        "`participant_id`: a naaste is invited as a current participant with role `naaste` and the client's involvement consent"
    )]
    NotANaaste,
    /// The person already has this standing on the trajectory.
    #[error("you are already linked to this trajectory")]
    AlreadyLinked,
}
