//! Errors of the storage layer.

use herstelbrug_domain::{DomainError, ReferralId, TrajectoryId};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent, or not visible to the caller: the two are deliberately indistinguishable.
    #[error("not found")]
    NotFound,
    /// The caller's `If-Match` version is not the current one.
    #[error("the resource changed: current version is {current}")]
    VersionMismatch { current: u32 },
    #[error("client already has an open trajectory at this provider: {existing}")]
    OpenTrajectoryExists { existing: TrajectoryId },
    #[error("an open referral of this kind to this organisation exists: {existing}")]
    OpenReferralExists { existing: ReferralId },
    #[error("the Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("stored data does not parse: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
}
