//! Idempotency-Key support: the first response to a keyed request is stored in the same
//! transaction as the change it made, and returned again for every retry of that request.

use chrono::{DateTime, Utc};
use herstelbrug_domain::OrgId;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement,
};
use sha2::{Digest, Sha256};

use crate::access_log::{self, AccessRecord};
use crate::db::write_txn::WriteTxn;
use crate::entity::idempotency_key;
use crate::error::StoreError;

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
///
/// A twin that arrives while the first is still in flight must not race it (and lose with
/// a 412 or a business-rule 409 caused by its own twin): on PostgreSQL the transaction
/// first takes an advisory lock on the key, held until it ends, so the twin waits for the
/// first to commit and then reads its stored response. Call it first in the transaction,
/// before any row lock, so the key lock is never taken while holding one. SQLite runs one
/// writer at a time, so the twin already sees the first's row.
async fn replay(
    txn: &WriteTxn,
    key: Option<&IdempotencyKey>,
) -> Result<Option<StoredResponse>, StoreError> {
    let Some(key) = key else {
        return Ok(None);
    };
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [lock_id(key).into()],
        ))
        .await?;
    }
    lookup(txn, key).await
}

/// The advisory-lock number of a key: 64 bits of SHA-256 over the organisation and key
/// (collisions only make two unrelated keyed writes wait for each other).
fn lock_id(key: &IdempotencyKey) -> i64 {
    let digest = Sha256::new()
        .chain_update(key.org.to_string())
        .chain_update([0u8])
        .chain_update(&key.key)
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Stores the response with the key (if any) and commits the write with it.
async fn finish(
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

/// What every state-changing operation carries besides its own arguments: who, when,
/// its access-log entry (committed with the change) and its `Idempotency-Key`.
#[derive(Debug, Clone, Copy)]
pub struct WriteContext<'a> {
    pub actor: &'a herstelbrug_domain::Actor,
    pub now: DateTime<Utc>,
    pub audit: &'a AccessRecord,
    pub key: Option<&'a IdempotencyKey>,
}

/// A state-changing operation's shared concerns and how its first answer is rendered,
/// so a retry gets that same answer: what every store write takes besides its command.
#[derive(Clone, Copy)]
pub struct Write<'a, T> {
    pub context: WriteContext<'a>,
    pub respond: Respond<'a, T>,
}

/// A keyed write done now (with what it wrote, for the work after commit) or replayed.
pub(crate) struct Keyed<T> {
    pub outcome: Replayable,
    pub written: Option<T>,
}

/// Runs `work` in one write transaction under `key`, the way every state-changing
/// operation honours `Idempotency-Key`: a retry, or a twin still in flight, gets the
/// stored first response; the response, the change and its access-log entry commit
/// together.
pub(crate) async fn keyed_write<T>(
    conn: &DatabaseConnection,
    write: &WriteContext<'_>,
    respond: Respond<'_, T>,
    work: impl AsyncFnOnce(&WriteTxn) -> Result<T, StoreError>,
) -> Result<Keyed<T>, StoreError> {
    keyed_write_about(conn, write, respond, |_| None, work).await
}

/// As [`keyed_write`], for a write whose path names no trajectory: `about` says which
/// trajectory it concerned, so its entry is in that client's access report.
pub(crate) async fn keyed_write_about<T>(
    conn: &DatabaseConnection,
    write: &WriteContext<'_>,
    respond: Respond<'_, T>,
    about: impl Fn(&T) -> Option<uuid::Uuid>,
    work: impl AsyncFnOnce(&WriteTxn) -> Result<T, StoreError>,
) -> Result<Keyed<T>, StoreError> {
    let begin = async || Ok(crate::db::connect::begin_write(conn).await?);
    run(conn, write, respond, about, begin, work).await
}

/// The pipeline itself, for a write that starts its transaction its own way (a member of
/// SQLite's group commit): `begin`, then the stored answer if the key was seen, else
/// `work`, the answer stored with the key, the access-log entry and the commit; a database
/// error after a twin committed is answered with the twin's stored answer.
pub(crate) async fn run<T>(
    conn: &DatabaseConnection,
    write: &WriteContext<'_>,
    respond: Respond<'_, T>,
    about: impl Fn(&T) -> Option<uuid::Uuid>,
    begin: impl AsyncFnOnce() -> Result<WriteTxn, StoreError>,
    work: impl AsyncFnOnce(&WriteTxn) -> Result<T, StoreError>,
) -> Result<Keyed<T>, StoreError> {
    let (key, now, audit) = (write.key, write.now, write.audit);
    let attempt = async {
        let txn = begin().await?;
        if let Some(stored) = replay(&txn, key).await? {
            return Ok(Keyed {
                outcome: Replayable::Replayed(stored),
                written: None,
            });
        }
        let written = work(&txn).await?;
        let mut entry = audit.clone();
        entry.trajectory_id = entry.trajectory_id.or_else(|| about(&written));
        let outcome = finish(txn, key, respond(&written), now, &entry).await?;
        Ok(Keyed {
            outcome,
            written: Some(written),
        })
    }
    .await;
    match (attempt, key) {
        (Err(StoreError::Database(err)), Some(key)) => match lookup(conn, key).await? {
            Some(stored) => Ok(Keyed {
                outcome: Replayable::Replayed(stored),
                written: None,
            }),
            None => Err(StoreError::Database(err)),
        },
        (outcome, _) => outcome,
    }
}
