//! Routing: where a client could go next, and offers sent to several candidates at once.

pub(crate) mod offer_row;
pub mod offer_store;
pub mod store;
