//! The continuity engine's rules: given a trajectory and its referrals at an instant,
//! which gaps in care exist now, and when the next one could open. Pure: persistence
//! runs them in the writing transaction and from durable timers.

pub mod alert;
pub mod error;
mod reconcile;
pub mod rule;
pub mod situation;
pub mod status;

pub use alert::{Alert, Resolution};
pub use reconcile::{AlertChange, Outcome, reconcile};
pub use rule::{ContinuityPolicy, Rule, Severity, Subject};
pub use situation::{Condition, Situation};
pub use status::AlertStatus;

#[cfg(test)]
mod tests;
