//! Notifications and webhooks: numbered events, subscriptions, the outbox written in
//! each transaction, and the deliveries with their attempts.

pub(crate) mod outbox;
pub mod store;
pub mod webhook_store;
