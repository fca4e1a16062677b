//! Idempotency-Key support: the first response to a keyed request is stored in the same
//! transaction as the change it made, and returned again for every retry of that request.

use chrono::{DateTime, Utc};
use herstelbrug_domain::OrgId;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait};

use crate::access_log::{self, AccessRecord};
use crate::entity::idempotency_key;
use crate::error::StoreError;
use crate::write_txn::WriteTxn;

/// A request's Idempotency-Key, scoped to the calling organisation, with a fingerprint
/// of the request (method, path, body) so a reused key with another request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub org: OrgId,
    pub key: String,
    pub fingerprint: String,
}

/// A response as it is stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: serde_json::Value,
    pub etag: Option<String>,
    pub location: Option<String>,
}

/// The outcome of a keyed write: done now, or replayed from the first time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replayable {
    Fresh(StoredResponse),
    Replayed(StoredResponse),
}

impl Replayable {
    pub fn response(&self) -> &StoredResponse {
        match self {
            Replayable::Fresh(r) | Replayable::Replayed(r) => r,
        }
    }
}

/// The stored response for `key`, if any; an error if the key was used for another request.
pub(crate) async fn lookup<C: ConnectionTrait>(
    conn: &C,
    key: &IdempotencyKey,
) -> Result<Option<StoredResponse>, StoreError> {
    let Some(row) = idempotency_key::Entity::find_by_id((key.org.to_string(), key.key.clone()))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if row.fingerprint != key.fingerprint {
        return Err(StoreError::IdempotencyKeyReused);
    }
    Ok(Some(StoredResponse {
        status: u16::try_from(row.status)
            .map_err(|_| StoreError::Corrupt(format!("idempotency status {}", row.status)))?,
        body: row.body,
        etag: row.etag,
        location: row.location,
    }))
}

pub(crate) async fn remember<C: ConnectionTrait>(
    conn: &C,
    key: &IdempotencyKey,
    response: &StoredResponse,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    idempotency_key::ActiveModel {
        org: Set(key.org.to_string()),
        key: Set(key.key.clone()),
        fingerprint: Set(key.fingerprint.clone()),
        status: Set(i32::from(response.status)),
        body: Set(response.body.clone()),
        etag: Set(response.etag.clone()),
        location: Set(response.location.clone()),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Renders the response a write answers with, so it can be stored for replay.
pub type Respond<'a, T> = &'a (dyn Fn(&T) -> StoredResponse + Sync);

/// The stored response of a keyed request already done, read inside the write's transaction.
pub(crate) async fn replay(
    txn: &WriteTxn,
    key: Option<&IdempotencyKey>,
) -> Result<Option<StoredResponse>, StoreError> {
    match key {
        Some(key) => lookup(txn, key).await,
        None => Ok(None),
    }
}

/// Stores the response with the key (if any) and commits the write with it.
pub(crate) async fn finish(
    txn: WriteTxn,
    key: Option<&IdempotencyKey>,
    response: StoredResponse,
    now: DateTime<Utc>,
    audit: &AccessRecord,
) -> Result<Replayable, StoreError> {
    if let Some(key) = key {
        remember(&txn, key, &response, now).await?;
    }
    access_log::defer(&txn, audit, response.status, now);
    txn.commit().await?;
    Ok(Replayable::Fresh(response))
}

/// A keyed write that failed in the database may have lost a race with its own retry,
/// which committed: then the stored response is the answer.
pub(crate) async fn settle(
    conn: &DatabaseConnection,
    attempt: Result<Replayable, StoreError>,
    key: Option<&IdempotencyKey>,
) -> Result<Replayable, StoreError> {
    match (attempt, key) {
        (Err(StoreError::Database(err)), Some(key)) => match lookup(conn, key).await? {
            Some(stored) => Ok(Replayable::Replayed(stored)),
            None => Err(StoreError::Database(err)),
        },
        (outcome, _) => outcome,
    }
}
