//! Retention and erasure: removing a trajectory's personal details (after its term, by
//! the daily job, or at once on request), keeping what the law or the figures need, and
//! the legal hold that stops both.

pub mod erase;
pub mod store;

pub use store::{ErasureOutcome, HoldState, RetentionRound, RetentionStore};
