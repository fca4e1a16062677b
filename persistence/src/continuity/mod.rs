//! Continuity and alerts: the rules run inside each writing transaction, and the alerts
//! they raise, read, acknowledged and resolved.

pub(crate) mod alert_row;
pub mod alert_store;
pub(crate) mod evaluate;

pub(crate) use evaluate::{evaluate, evaluate_loaded, evaluate_new};
