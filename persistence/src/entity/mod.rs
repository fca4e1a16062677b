//! sea-orm entities: the table rows, kept apart from the domain types and the API DTOs.

pub mod idempotency_key;
pub mod trajectory;
pub mod trajectory_event;
