//! Errors of the storage layer.

use herstelbrug_domain::{DomainError, ReferralId, TrajectoryId};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent, or not visible to the caller: the two are deliberately indistinguishable.
    #[error("not found")]
    NotFound,
    /// The caller may read this but not change it (a municipality informed of a gap
    /// alert: acknowledging and resolving stay with the parties of the care).
    #[error("{detail}")]
    ReadOnly { detail: String },
    /// The caller's `If-Match` version is not the current one.
    #[error("the resource changed: current version is {current}")]
    VersionMismatch { current: u32 },
    #[error("client already has an open trajectory at this provider: {existing}")]
    OpenTrajectoryExists { existing: TrajectoryId },
    #[error("an open referral of this kind to this organisation exists: {existing}")]
    OpenReferralExists { existing: ReferralId },
    #[error("another object of this organisation already has the identifier {identifier}")]
    IdentifierTaken { identifier: String },
    #[error("the Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    /// What was asked for is older than the retention and was (or may be) pruned.
    #[error("{detail}")]
    Expired { detail: String },
    /// A legal hold keeps the trajectory's data: neither erasure nor retention touches it.
    #[error("under a legal hold: {reason}")]
    Held { reason: String },
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("stored data does not parse: {0}")]
    Corrupt(String),
    /// The database cannot be reached (no connection within the acquire timeout, or the
    /// connection broke): nothing was done, and a retry later may succeed.
    #[error("the database is unreachable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
}

impl StoreError {
    /// Whether the failure is the database being out of reach rather than the request.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Database(db) => unreachable(db),
            _ => false,
        }
    }
}

/// Whether `err` says the database is out of reach: no connection could be had in time,
/// or the one in use broke (socket closed, server shutting down).
pub fn unreachable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        DbErr::Conn(_) => return true,
        _ => return false,
    };
    match sqlx.as_ref() {
        sea_orm::sqlx::Error::Io(_)
        | sea_orm::sqlx::Error::Tls(_)
        | sea_orm::sqlx::Error::PoolTimedOut
        | sea_orm::sqlx::Error::PoolClosed
        | sea_orm::sqlx::Error::WorkerCrashed => true,
        // admin_shutdown, crash_shutdown, cannot_connect_now: PostgreSQL is going away.
        sea_orm::sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03"))
        }
        _ => false,
    }
}

/// Each capability's refusal passes through a store as it is, under [`StoreError::Domain`].
macro_rules! from_capability_error {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for StoreError {
            fn from(err: $error) -> Self {
                StoreError::Domain(err.into())
            }
        }
    )*};
}

from_capability_error!(
    herstelbrug_domain::FieldError,
    herstelbrug_domain::TrajectoryError,
    herstelbrug_domain::ReferralError,
    herstelbrug_domain::ConsentError,
    herstelbrug_domain::AlertError,
    herstelbrug_domain::OfferError,
    herstelbrug_domain::TeamError,
    herstelbrug_domain::CatalogError,
);
