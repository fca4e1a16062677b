//! The NEN 7513 access log: who accessed which client's data, when, from where, for what,
//! and with what outcome. Append-only and tamper-evident: every entry carries the SHA-256
//! of its content and of the previous entry, so changing or removing a row breaks the
//! chain from there on, and `verify` names the first broken entry.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entity::access_log;
use crate::error::StoreError;

/// The hash the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One access, as the API describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    /// The operation, e.g. `GET /v1/trajectories/{id}`.
    pub event: String,
    /// NEN 7513 action: C(reate), R(ead), U(pdate), D(elete) or E(xecute).
    pub action: char,
    /// `success`, `denied`, `not_found`, `refused` (bad input) or `failed`.
    pub outcome: String,
    pub status: u16,
    pub client_ref: Option<String>,
    pub trajectory_id: Option<Uuid>,
    pub referral_id: Option<Uuid>,
    pub subject: Option<String>,
    pub role: Option<String>,
    pub org: Option<String>,
    pub address: Option<String>,
    pub request_id: Option<String>,
    pub purpose: String,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: i64,
    pub recorded_at: DateTime<Utc>,
    pub record: AccessRecord,
}

fn opt(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("-")
}

fn uid(value: Option<Uuid>) -> String {
    value.map_or_else(|| "-".to_owned(), |u| u.to_string())
}

/// The hash of an entry: over the previous hash and every field, separated so that no
/// two different entries hash the same text.
fn hash(prev: &str, at: DateTime<Utc>, r: &AccessRecord) -> String {
    let fields = [
        prev.to_owned(),
        at.timestamp().to_string(),
        r.event.clone(),
        r.action.to_string(),
        r.outcome.clone(),
        r.status.to_string(),
        opt(&r.client_ref).to_owned(),
        uid(r.trajectory_id),
        uid(r.referral_id),
        opt(&r.subject).to_owned(),
        opt(&r.role).to_owned(),
        opt(&r.org).to_owned(),
        opt(&r.address).to_owned(),
        opt(&r.request_id).to_owned(),
        r.purpose.clone(),
    ];
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update(field.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(field.as_bytes());
        hasher.update(b"|");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn record_of(row: &access_log::Model) -> AccessRecord {
    AccessRecord {
        event: row.event.clone(),
        action: row.action.chars().next().unwrap_or('?'),
        outcome: row.outcome.clone(),
        status: u16::try_from(row.status).unwrap_or_default(),
        client_ref: row.client_ref.clone(),
        trajectory_id: row.trajectory_id,
        referral_id: row.referral_id,
        subject: row.subject.clone(),
        role: row.role.clone(),
        org: row.org.clone(),
        address: row.address.clone(),
        request_id: row.request_id.clone(),
        purpose: row.purpose.clone(),
    }
}

#[derive(Clone, Debug)]
pub struct AccessLog {
    conn: DatabaseConnection,
}

impl AccessLog {
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    /// Appends an entry (UTC, to the second) chained to the last one.
    pub async fn append(
        &self,
        record: &AccessRecord,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // SQLite: take the write lock at BEGIN (waiting up to the busy timeout), so reading
        // the chain's head never has to upgrade to a write lock another process holds.
        let txn = self
            .conn
            .begin_with_options(sea_orm::TransactionOptions {
                isolation_level: None,
                access_mode: None,
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            })
            .await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            // One chain, one writer at a time: the lock lasts until this transaction ends.
            txn.execute_unprepared("SELECT pg_advisory_xact_lock(7513)")
                .await?;
        }
        let prev: String = access_log::Entity::find()
            .select_only()
            .column(access_log::Column::Hash)
            .order_by_desc(access_log::Column::Id)
            .into_tuple::<String>()
            .one(&txn)
            .await?
            .unwrap_or_else(|| GENESIS.to_owned());
        let at = now.trunc_subsecs(0);
        let r = record;
        access_log::Entity::insert(access_log::ActiveModel {
            id: NotSet,
            recorded_at: Set(at),
            event: Set(r.event.clone()),
            action: Set(r.action.to_string()),
            outcome: Set(r.outcome.clone()),
            status: Set(i32::from(r.status)),
            client_ref: Set(r.client_ref.clone()),
            trajectory_id: Set(r.trajectory_id),
            referral_id: Set(r.referral_id),
            subject: Set(r.subject.clone()),
            role: Set(r.role.clone()),
            org: Set(r.org.clone()),
            address: Set(r.address.clone()),
            request_id: Set(r.request_id.clone()),
            purpose: Set(r.purpose.clone()),
            hash: Set(hash(&prev, at, r)),
            prev_hash: Set(prev),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Walks the whole chain; returns the id of the first entry that does not verify.
    pub async fn verify(&self) -> Result<Option<i64>, StoreError> {
        let mut prev = GENESIS.to_owned();
        let mut after = 0i64;
        loop {
            let rows = access_log::Entity::find()
                .filter(access_log::Column::Id.gt(after))
                .order_by_asc(access_log::Column::Id)
                .limit(1000)
                .all(&self.conn)
                .await?;
            let Some(last) = rows.last() else {
                return Ok(None);
            };
            after = last.id;
            for row in rows {
                if row.prev_hash != prev
                    || hash(&prev, row.recorded_at, &record_of(&row)) != row.hash
                {
                    return Ok(Some(row.id));
                }
                prev = row.hash;
            }
        }
    }

    /// Entries about the given trajectories, their referrals, or a client reference.
    pub async fn about(
        &self,
        trajectories: &[Uuid],
        referrals: &[Uuid],
        client_ref: &str,
        limit: u64,
    ) -> Result<Vec<AccessEntry>, StoreError> {
        let mut condition = Condition::any().add(access_log::Column::ClientRef.eq(client_ref));
        if !trajectories.is_empty() {
            condition =
                condition.add(access_log::Column::TrajectoryId.is_in(trajectories.iter().copied()));
        }
        if !referrals.is_empty() {
            condition =
                condition.add(access_log::Column::ReferralId.is_in(referrals.iter().copied()));
        }
        Ok(access_log::Entity::find()
            .filter(condition)
            .order_by_desc(access_log::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?
            .iter()
            .map(|row| AccessEntry {
                id: row.id,
                recorded_at: row.recorded_at,
                record: record_of(row),
            })
            .collect())
    }
}
