//! Referrals between organisations: requesting one, the parties' actions on it, and
//! finding them again (by id, identifier, party, status and time of last change).

pub(crate) mod load;
pub(crate) mod row;
pub mod store;
