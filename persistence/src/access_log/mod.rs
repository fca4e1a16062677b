//! The NEN 7513 access log: who accessed which client's data, when, from where, for what,
//! and with what outcome. Append-only and tamper-evident: every entry carries the SHA-256
//! of its content and of the previous entry, kept in its seal, so changing or removing a
//! row breaks the chain from there on, and `verify` names the first broken entry.
//! Entries are written unchained inside the request's own transaction (a write and its
//! entry commit together) and sealed shortly after by `seal`, which keeps the chain
//! from serialising every request of every process.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::QueryTrait as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::db::connect::begin_write;
use crate::db::write_txn::WriteTxn;
use crate::entity::{access_log, access_log_disclosure, access_log_seal};
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
    /// The trajectories whose data the response showed, beyond the one its path names
    /// (a feed page, a list of alerts): the client's access report finds the entry
    /// through each of them.
    pub disclosed: Vec<Uuid>,
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
    // Entries from before disclosures were recorded hash as they always did.
    let disclosed = (!r.disclosed.is_empty()).then(|| disclosed_json(&r.disclosed));
    let mut hasher = Sha256::new();
    for field in fields.iter().chain(disclosed.as_ref()) {
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
        disclosed: row
            .disclosed
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default(),
    }
}

fn disclosed_json(ids: &[Uuid]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned())
}

/// `text` as a column of at most `max` characters can always hold it: control characters
/// (NUL, which PostgreSQL refuses in text, among them) are written as `\u{..}` escapes and
/// an over-long value is cut with a marker. An entry must never fail for what a caller
/// put in a path or header: the log has to show the attempt, not lose it.
pub fn storable(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut chars = 0;
    for c in text.chars() {
        let piece = if c.is_control() {
            format!("\\u{{{:x}}}", u32::from(c))
        } else {
            c.to_string()
        };
        let len = piece.chars().count();
        if chars + len > max {
            // Keep room for the marker that says the value was cut.
            while chars + 1 > max {
                if out.pop().is_none() {
                    break;
                }
                chars -= 1;
            }
            out.push('…');
            return out;
        }
        out.push_str(&piece);
        chars += len;
    }
    out
}

fn storable_opt(text: &Option<String>, max: usize) -> Option<String> {
    text.as_deref().map(|t| storable(t, max))
}

/// Writes one entry, unchained, in a write's own transaction, so the change and its
/// entry commit or fail together. `status` is the answer being given.
pub(crate) fn defer(txn: &WriteTxn, record: &AccessRecord, status: u16, now: DateTime<Utc>) {
    txn.defer(access_log::Entity::insert(row(record, status, now)).into_query());
}

fn row(record: &AccessRecord, status: u16, now: DateTime<Utc>) -> access_log::ActiveModel {
    let r = record;
    access_log::ActiveModel {
        id: NotSet,
        recorded_at: Set(now.trunc_subsecs(0)),
        event: Set(storable(&r.event, 120)),
        action: Set(if r.action.is_ascii_uppercase() {
            r.action
        } else {
            'E'
        }
        .to_string()),
        outcome: Set(storable(&r.outcome, 16)),
        status: Set(i32::from(status)),
        client_ref: Set(storable_opt(&r.client_ref, 64)),
        trajectory_id: Set(r.trajectory_id),
        referral_id: Set(r.referral_id),
        subject: Set(storable_opt(&r.subject, 255)),
        role: Set(storable_opt(&r.role, 100)),
        org: Set(storable_opt(&r.org, 16)),
        address: Set(storable_opt(&r.address, 64)),
        request_id: Set(storable_opt(&r.request_id, 64)),
        purpose: Set(storable(&r.purpose, 100)),
        tx_id: NotSet,
        disclosed: Set((!r.disclosed.is_empty()).then(|| disclosed_json(&r.disclosed))),
    }
}

fn stopped() -> StoreError {
    StoreError::Database(sea_orm::DbErr::Custom(
        "the access-log writer stopped".to_owned(),
    ))
}

/// An entry waiting for the batch that stores it, and who to tell.
type Pending = (
    AccessRecord,
    DateTime<Utc>,
    oneshot::Sender<Result<(), Failure>>,
);

/// Why a batch was not stored.
#[derive(Debug, Clone)]
enum Failure {
    /// The database is out of reach: retrying entry by entry would only wait longer.
    Unreachable(String),
    Refused(String),
}

/// Most entries one batch stores.
const WRITE_BATCH: usize = 256;

/// Stores the entries of requests that write nothing else (reads, refusals) in batches:
/// whatever is waiting goes into one multi-row INSERT, so concurrent requests share one
/// statement and one commit (group commit), and none is answered before its entry is
/// stored. Two batches can be in flight at once.
#[derive(Clone, Debug)]
pub struct AccessWriter {
    queue: mpsc::Sender<Pending>,
}

impl AccessWriter {
    /// Starts the writers on the current Tokio runtime.
    pub fn spawn(conn: DatabaseConnection) -> Self {
        let (queue, receiver) = mpsc::channel::<Pending>(8 * WRITE_BATCH);
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        for _ in 0..2 {
            let (conn, receiver) = (conn.clone(), receiver.clone());
            tokio::spawn(async move {
                let mut batch: Vec<Pending> = Vec::with_capacity(WRITE_BATCH);
                loop {
                    {
                        let mut receiver = receiver.lock().await;
                        if receiver.recv_many(&mut batch, WRITE_BATCH).await == 0 {
                            return;
                        }
                    }
                    let rows = batch
                        .iter()
                        .map(|(record, now, _)| row(record, record.status, *now));
                    let stored = insert(&conn, rows.collect()).await;
                    if !matches!(stored, Err(Failure::Refused(_))) || batch.len() == 1 {
                        for (_, _, done) in batch.drain(..) {
                            let _ = done.send(stored.clone());
                        }
                        continue;
                    }
                    // One entry must never fail another's: each is retried alone, and
                    // only an entry that fails by itself fails its own request.
                    tracing::warn!("an access-log batch failed; retrying its entries alone");
                    for (record, now, done) in batch.drain(..) {
                        let alone = insert(&conn, vec![row(&record, record.status, now)]).await;
                        let _ = done.send(alone);
                    }
                }
            });
        }
        Self { queue }
    }

    /// Stores `record`; returns once it is committed.
    ///
    /// Entries of every organisation share batches, so what one caller sends must not be
    /// able to fail a batch: `row` makes every field storable, and a failed batch is
    /// retried entry by entry.
    pub async fn append(&self, record: AccessRecord, now: DateTime<Utc>) -> Result<(), StoreError> {
        let (done, stored) = oneshot::channel();
        self.queue
            .send((record, now, done))
            .await
            .map_err(|_| stopped())?;
        stored.await.map_err(|_| stopped())?.map_err(|e| match e {
            Failure::Unreachable(e) => StoreError::Unavailable(e),
            Failure::Refused(e) => StoreError::Database(sea_orm::DbErr::Custom(e)),
        })
    }
}

async fn insert(
    conn: &DatabaseConnection,
    rows: Vec<access_log::ActiveModel>,
) -> Result<(), Failure> {
    access_log::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
        .map_err(|e| {
            if crate::error::unreachable(&e) {
                Failure::Unreachable(e.to_string())
            } else {
                Failure::Refused(e.to_string())
            }
        })
}

/// How many entries one sealing transaction chains at most.
const SEAL_BATCH: u64 = 1000;

#[derive(Clone, Debug)]
pub struct AccessLog {
    conn: DatabaseConnection,
}

impl AccessLog {
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    /// Chains every entry that no running transaction can still precede; returns how many.
    /// Entries are sealed in (transaction, id) order, so the chain never has to insert an
    /// entry that commits late before one already sealed.
    pub async fn seal(&self) -> Result<u64, StoreError> {
        let mut sealed = 0;
        loop {
            let batch = self.seal_batch().await?;
            sealed += batch;
            if batch < SEAL_BATCH {
                return Ok(sealed);
            }
        }
    }

    async fn seal_batch(&self) -> Result<u64, StoreError> {
        let txn = begin_write(&self.conn).await?;
        let postgres = txn.get_database_backend() == DbBackend::Postgres;
        if postgres {
            // One sealer at a time across processes; the lock ends with the transaction.
            txn.execute_unprepared("SELECT pg_advisory_xact_lock(7513)")
                .await?;
        }
        let head = access_log_seal::Entity::find()
            .order_by_desc(access_log_seal::Column::Seq)
            .one(&txn)
            .await?;
        let (after_tx, after_id, mut prev) = head.map_or((i64::MIN, 0, GENESIS.to_owned()), |s| {
            (s.entry_tx, s.entry_id, s.hash)
        });
        let mut pending = access_log::Entity::find().filter(
            Condition::any()
                .add(access_log::Column::TxId.gt(after_tx))
                .add(
                    access_log::Column::TxId
                        .eq(after_tx)
                        .and(access_log::Column::Id.gt(after_id)),
                ),
        );
        if postgres {
            pending = pending.filter(Expr::cust(
                "tx_id < (pg_snapshot_xmin(pg_current_snapshot())::text::bigint)",
            ));
        }
        let entries = pending
            .order_by_asc(access_log::Column::TxId)
            .order_by_asc(access_log::Column::Id)
            .limit(SEAL_BATCH)
            .all(&txn)
            .await?;
        let count = entries.len() as u64;
        if entries.is_empty() {
            txn.commit().await?;
            return Ok(0);
        }
        let seals = entries.iter().map(|entry| {
            let next = hash(&prev, entry.recorded_at, &record_of(entry));
            access_log_seal::ActiveModel {
                seq: NotSet,
                entry_id: Set(entry.id),
                entry_tx: Set(entry.tx_id),
                prev_hash: Set(std::mem::replace(&mut prev, next.clone())),
                hash: Set(next),
            }
        });
        access_log_seal::Entity::insert_many(seals.collect::<Vec<_>>())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        Ok(count)
    }

    /// How many entries are chained, and how many wait for a transaction older than them
    /// to end before they can be (PostgreSQL).
    pub async fn sealed_and_pending(&self) -> Result<(u64, u64), StoreError> {
        let sealed = access_log_seal::Entity::find().count(&self.conn).await?;
        let pending = access_log::Entity::find()
            .filter(Expr::cust(
                "NOT EXISTS (SELECT 1 FROM access_log_seal s WHERE s.entry_id = access_log.id)",
            ))
            .count(&self.conn)
            .await?;
        Ok((sealed, pending))
    }

    /// Walks the whole chain; returns the id of the first entry that does not verify: its
    /// content, its link to the previous seal, or the entry itself is gone.
    pub async fn verify(&self) -> Result<Option<i64>, StoreError> {
        let mut prev = GENESIS.to_owned();
        let mut after = 0i64;
        loop {
            let seals = access_log_seal::Entity::find()
                .filter(access_log_seal::Column::Seq.gt(after))
                .order_by_asc(access_log_seal::Column::Seq)
                .limit(SEAL_BATCH)
                .all(&self.conn)
                .await?;
            let Some(last) = seals.last() else {
                return Ok(None);
            };
            after = last.seq;
            let entries: HashMap<i64, access_log::Model> = access_log::Entity::find()
                .filter(access_log::Column::Id.is_in(seals.iter().map(|s| s.entry_id)))
                .all(&self.conn)
                .await?
                .into_iter()
                .map(|row| (row.id, row))
                .collect();
            for seal in seals {
                let intact = seal.prev_hash == prev
                    && entries.get(&seal.entry_id).is_some_and(|row| {
                        hash(&prev, row.recorded_at, &record_of(row)) == seal.hash
                    });
                if !intact {
                    return Ok(Some(seal.entry_id));
                }
                prev = seal.hash;
            }
        }
    }

    /// Entries about the given trajectories, their referrals, or client references,
    /// newest first, `limit` at a time from before entry `before` (a page's cursor).
    pub async fn about(
        &self,
        trajectories: &[Uuid],
        referrals: &[Uuid],
        client_refs: &[String],
        page: (u64, Option<i64>),
    ) -> Result<Vec<AccessEntry>, StoreError> {
        let (limit, before) = page;
        if trajectories.is_empty() && referrals.is_empty() && client_refs.is_empty() {
            return Ok(Vec::new());
        }
        let mut condition = Condition::any();
        if !client_refs.is_empty() {
            condition =
                condition.add(access_log::Column::ClientRef.is_in(client_refs.iter().cloned()));
        }
        if !trajectories.is_empty() {
            condition =
                condition.add(access_log::Column::TrajectoryId.is_in(trajectories.iter().copied()));
        }
        if !referrals.is_empty() {
            condition =
                condition.add(access_log::Column::ReferralId.is_in(referrals.iter().copied()));
        }
        if !trajectories.is_empty() {
            let disclosed = sea_orm::sea_query::Query::select()
                .column(access_log_disclosure::Column::EntryId)
                .from(access_log_disclosure::Entity)
                .and_where(
                    access_log_disclosure::Column::TrajectoryId
                        .is_in(trajectories.iter().map(Uuid::to_string)),
                )
                .to_owned();
            condition = condition.add(access_log::Column::Id.in_subquery(disclosed));
        }
        let mut select = access_log::Entity::find().filter(condition);
        if let Some(before) = before {
            select = select.filter(access_log::Column::Id.lt(before));
        }
        Ok(select
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

#[cfg(test)]
mod tests {
    use super::storable;

    #[test]
    fn any_text_becomes_storable_in_its_column() {
        assert_eq!(storable("client-1", 64), "client-1");
        assert_eq!(storable("ab\0cd", 64), "ab\\u{0}cd");
        let cut = storable(&"x".repeat(100), 64);
        assert_eq!(cut.chars().count(), 64);
        assert!(cut.ends_with('…'));
        let escapes = storable(&"\u{7}".repeat(40), 16);
        assert!(escapes.chars().count() <= 16 && !escapes.contains('\u{7}'));
    }
}
