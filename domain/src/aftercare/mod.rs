//! After closure: the outcome checks that fall due when a trajectory closed with
//! follow-up in place, and re-entry, when a relapse starts a new trajectory linked to the
//! previous one.

pub mod outcome;
pub mod reentry;

pub use outcome::{CheckOutcome, OutcomeCheck, OutcomePolicy, checks_due};
pub use reentry::{READMISSION_DAYS, is_readmission};

#[cfg(test)]
mod tests;
