//! Herstelbrug's storage: sea-orm entities and migrations, and the stores that load and
//! save domain objects, on SQLite (embedded default) and PostgreSQL from the same code.

pub mod admin;
pub mod connect;
mod entity;
pub mod error;
pub mod idempotency;
pub mod migration;
mod trajectory_row;
pub mod trajectory_store;

pub use connect::{Database, connect};
pub use error::StoreError;
pub use idempotency::{IdempotencyKey, Replayable, StoredResponse};
pub use trajectory_store::{TrajectoryFilter, TrajectoryPage, TrajectoryStore, Visibility};

/// Re-exported so callers can hold a connection without naming sea-orm themselves.
pub use sea_orm::{DatabaseConnection, DbErr};
