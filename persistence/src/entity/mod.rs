//! sea-orm entities: the table rows, kept apart from the domain types and the API DTOs.

pub mod consent;
pub mod idempotency_key;
pub mod referral;
pub mod referral_event;
pub mod referral_feed;
pub mod trajectory;
pub mod trajectory_event;
