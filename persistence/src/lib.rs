//! Herstelbrug's storage: sea-orm entities and migrations, and the stores that load and
//! save domain objects, on SQLite (embedded default) and PostgreSQL from the same code.

pub mod admin;
pub mod connect;
mod consent_store;
mod entity;
pub mod error;
pub mod feed;
pub mod feed_signal;
pub mod idempotency;
pub mod migration;
mod referral_row;
pub mod referral_store;
mod trajectory_row;
pub mod trajectory_store;

pub use connect::{Database, connect};
pub use error::StoreError;
pub use feed::{FeedCursor, FeedItem, FeedPage, FeedQuery, FeedRole};
pub use feed_signal::FeedSignal;
pub use idempotency::{IdempotencyKey, Replayable, Respond, StoredResponse};
pub use referral_store::{ReferralRecord, ReferralStore};
pub use trajectory_store::{
    TrajectoryFilter, TrajectoryHistory, TrajectoryPage, TrajectoryStore, Visibility,
};

/// Re-exported so callers can hold a connection without naming sea-orm themselves.
pub use sea_orm::{DatabaseConnection, DbErr};
