//! The chain: sealing new entries in commit order, and walking it to verify.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use herstelbrug_domain::access_log::GENESIS;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use chrono::{DateTime, Utc};
use herstelbrug_domain::access_log::{AuditKey, Checkpoint};
use uuid::Uuid;

use super::checkpoint::{self, StoredCheckpoints};
use super::export::{self, Export, ExportQuery};
use super::query;
use super::record::{AccessEntry, logged};
use crate::db::connect::begin_write;
use crate::entity::{access_log, access_log_seal};
use crate::error::StoreError;

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

    /// Seals what can be sealed, then signs the chain's head with `keys` as the next
    /// checkpoint and stores it. With `only_if_moved`, nothing is signed when the head
    /// is where the last checkpoint saw it.
    pub async fn checkpoint(
        &self,
        keys: &[&AuditKey],
        now: DateTime<Utc>,
        only_if_moved: bool,
    ) -> Result<Option<Checkpoint>, StoreError> {
        self.seal().await?;
        checkpoint::sign_head(&self.conn, keys, now, only_if_moved).await
    }

    /// Every checkpoint, in number order.
    pub async fn checkpoints(&self) -> Result<StoredCheckpoints, StoreError> {
        checkpoint::all(&self.conn).await
    }

    /// The entries of `query` chained up to `cover`, with their links and checkpoints;
    /// `checkpoints` are all the database holds, in number order.
    pub async fn export(
        &self,
        query: &ExportQuery,
        cover: &Checkpoint,
        checkpoints: &[Checkpoint],
    ) -> Result<Export, StoreError> {
        export::gather(&self.conn, query, cover, checkpoints).await
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
        query::about(&self.conn, trajectories, referrals, client_refs, page).await
    }

    /// Entries of requests made on behalf of `org` (or of everyone, for `None`), newest
    /// first, `limit` at a time from before entry `before`.
    pub async fn of_organisation(
        &self,
        org: Option<&str>,
        page: (u64, Option<i64>),
    ) -> Result<Vec<AccessEntry>, StoreError> {
        query::of_organisation(&self.conn, org, page).await
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
            let next = logged(entry).hash(&prev);
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

    /// Walks the whole chain: the first entry that does not verify (its content, its
    /// link to the previous seal, or the entry itself is gone), the chain's length, and
    /// its hash after each of `positions` entries (what checkpoints are checked against).
    pub async fn walk(&self, positions: &BTreeSet<u64>) -> Result<ChainWalk, StoreError> {
        let mut prev = GENESIS.to_owned();
        let mut after = 0i64;
        let mut walked = ChainWalk::default();
        loop {
            let seals = access_log_seal::Entity::find()
                .filter(access_log_seal::Column::Seq.gt(after))
                .order_by_asc(access_log_seal::Column::Seq)
                .limit(SEAL_BATCH)
                .all(&self.conn)
                .await?;
            let Some(last) = seals.last() else {
                return Ok(walked);
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
                    && entries
                        .get(&seal.entry_id)
                        .is_some_and(|row| logged(row).hash(&prev) == seal.hash);
                if !intact && walked.broken.is_none() {
                    walked.broken = Some(seal.entry_id);
                }
                walked.length += 1;
                if positions.contains(&walked.length) {
                    walked.hashes.insert(walked.length, seal.hash.clone());
                }
                prev = seal.hash;
            }
        }
    }
}

/// What a walk of the chain found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainWalk {
    /// The first entry that does not verify.
    pub broken: Option<i64>,
    /// How many entries are chained.
    pub length: u64,
    /// The hash after each asked-for number of entries.
    pub hashes: BTreeMap<u64, String>,
}
