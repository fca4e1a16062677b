//! Signing the chain's head as the next checkpoint, and reading the checkpoints back.

use chrono::{DateTime, SubsecRound, Utc};
use herstelbrug_domain::access_log::{AuditKey, Checkpoint, GENESIS};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryOrder,
};

use crate::db::connect::begin_write;
use crate::entity::{access_log_checkpoint, access_log_seal};
use crate::error::StoreError;

/// The checkpoints the database holds, and the numbers of any whose body no longer parses.
#[derive(Debug, Clone, Default)]
pub struct StoredCheckpoints {
    pub checkpoints: Vec<Checkpoint>,
    pub unreadable: Vec<u64>,
}

/// Signs the chain's head with `keys` as the next checkpoint and stores it. With
/// `only_if_moved`, nothing is signed when the head is where the last checkpoint saw it.
pub(super) async fn sign_head(
    conn: &DatabaseConnection,
    keys: &[&AuditKey],
    now: DateTime<Utc>,
    only_if_moved: bool,
) -> Result<Option<Checkpoint>, StoreError> {
    let txn = begin_write(conn).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // The sealer's lock: the head cannot move while it is read and signed.
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7513)")
            .await?;
    }
    let entries = access_log_seal::Entity::find().count(&txn).await?;
    let head = access_log_seal::Entity::find()
        .order_by_desc(access_log_seal::Column::Seq)
        .one(&txn)
        .await?
        .map_or_else(|| GENESIS.to_owned(), |seal| seal.hash);
    let last = access_log_checkpoint::Entity::find()
        .order_by_desc(access_log_checkpoint::Column::Number)
        .one(&txn)
        .await?;
    let last = last.map(|row| parse(&row)).transpose()?;
    if only_if_moved
        && last
            .as_ref()
            .is_some_and(|c| c.entries == entries && c.head == head)
    {
        txn.commit().await?;
        return Ok(None);
    }
    let (number, previous) = last
        .as_ref()
        .map_or((1, GENESIS.to_owned()), |c| (c.number + 1, c.digest()));
    let checkpoint = Checkpoint::sign(
        number,
        entries,
        &head,
        now.trunc_subsecs(0),
        &previous,
        keys,
    );
    access_log_checkpoint::Entity::insert(access_log_checkpoint::ActiveModel {
        number: Set(i64::try_from(number).unwrap_or(i64::MAX)),
        entries: Set(i64::try_from(entries).unwrap_or(i64::MAX)),
        head: Set(head),
        at: Set(checkpoint.at),
        body: Set(checkpoint.to_line()),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some(checkpoint))
}

/// Every checkpoint, in number order.
pub(super) async fn all(conn: &DatabaseConnection) -> Result<StoredCheckpoints, StoreError> {
    let rows = access_log_checkpoint::Entity::find()
        .order_by_asc(access_log_checkpoint::Column::Number)
        .all(conn)
        .await?;
    let mut stored = StoredCheckpoints::default();
    for row in rows {
        match parse(&row) {
            Ok(checkpoint) => stored.checkpoints.push(checkpoint),
            Err(_) => stored
                .unreadable
                .push(u64::try_from(row.number).unwrap_or_default()),
        }
    }
    Ok(stored)
}

fn parse(row: &access_log_checkpoint::Model) -> Result<Checkpoint, StoreError> {
    serde_json::from_str(&row.body)
        .map_err(|e| StoreError::Corrupt(format!("checkpoint {}: {e}", row.number)))
}
