//! The person's own door: how a signed-in person stands to a trajectory (the client, a
//! representative acting for the client, or a naaste at the level the client chose), the
//! invitation codes that link a person to a trajectory, and the lock-out after wrong codes.

pub mod assurance;
pub mod error;
pub mod invitation;
pub mod lockout;
pub mod status;

#[cfg(test)]
mod tests;

use crate::disclosure::Party;
use crate::kernel::actor::PersonRole;

string_enum! {
    /// How much a naaste follows, as the client chose it.
    pub enum NaasteLevel ("naaste level") {
        /// Who to call, and the meetings she is invited to.
        Contact => "contact",
        /// Also the steps of the path and the status and dates of referrals.
        Follow => "follow",
    }
}

string_enum! {
    /// How a representative may act for the client (DigiD Machtigen's two kinds).
    pub enum Representation ("representation") {
        /// A legal representative: a parent, guardian (curator) or mentor.
        Legal => "wettelijk_vertegenwoordiger",
        /// Someone the client authorised.
        Authorised => "gemachtigde",
    }
}

/// How one signed-in person stands to one trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The client themselves.
    Client,
    /// Someone acting for the client.
    Representative(Representation),
    /// A naaste the client invited, at the level the client chose.
    Naaste(NaasteLevel),
}

impl Standing {
    pub const fn role(self) -> PersonRole {
        match self {
            Standing::Client => PersonRole::Client,
            Standing::Representative(_) => PersonRole::Representative,
            Standing::Naaste(_) => PersonRole::Naaste,
        }
    }

    /// The column of the disclosure table this person reads: a representative sees what
    /// the client sees.
    pub const fn party(self) -> Party {
        match self {
            Standing::Client | Standing::Representative(_) => Party::Client,
            Standing::Naaste(NaasteLevel::Contact) => Party::NaasteContact,
            Standing::Naaste(NaasteLevel::Follow) => Party::NaasteFollow,
        }
    }

    /// Whether this person steers the path: gives and withdraws consent, invites and
    /// revokes naasten, reads the access overview and downloads the copy. A naaste only
    /// looks.
    pub const fn steers(self) -> bool {
        matches!(self, Standing::Client | Standing::Representative(_))
    }
}
