//! Routing when a handoff fails: one request offered to several candidates at once (the
//! first suitable acceptance wins), and the next candidates to try after a rejection or an
//! expired offer.

pub mod alternatives;
pub mod error;
pub mod offer;
pub mod status;

pub use alternatives::{Tried, rank_alternatives, suggested_kinds};
pub use offer::{
    Candidate, EXPIRED_REASON, MAX_CANDIDATES, MIN_CANDIDATES, NOT_SELECTED_REASON, Offer,
    OfferPolicy,
};
pub use status::OfferStatus;

#[cfg(test)]
mod tests;
