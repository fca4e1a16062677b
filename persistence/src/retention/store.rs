//! The retention job's rounds, erasure on request, and legal holds.

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::retention::RetentionPolicy;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::erase::erase;
use crate::db::connect::begin_immediate;
use crate::entity::{
    access_log, idempotency_key, trajectory, trajectory_retention, webhook_attempt, webhook_message,
};
use crate::error::StoreError;

/// What one round of the retention job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionRound {
    pub trajectories_pseudonymised: u64,
    pub idempotency_records_removed: u64,
}

/// A trajectory's hold and erasure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HoldState {
    pub hold_reason: Option<String>,
    pub held_at: Option<DateTime<Utc>>,
    pub held_by: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
}

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureOutcome {
    pub erased_at: DateTime<Utc>,
    /// False when it had been erased before (nothing more to remove).
    pub now: bool,
    pub referrals: usize,
}

#[derive(Clone, Debug)]
pub struct RetentionStore {
    conn: DatabaseConnection,
    policy: RetentionPolicy,
}

/// Holds and erasures that keep a trajectory out of the job: held, or already erased.
const SETTLED: &str = "NOT EXISTS (SELECT 1 FROM trajectory_retention r \
     WHERE r.trajectory_id = trajectories.id \
     AND (r.hold_reason IS NOT NULL OR r.erased_at IS NOT NULL))";

impl RetentionStore {
    pub fn new(conn: DatabaseConnection, policy: RetentionPolicy) -> Self {
        Self { conn, policy }
    }

    /// One batch of closed trajectories past their term, after `after` (the last one of
    /// the previous batch, so a round never rescans what it did), each batch one
    /// transaction: a crash loses at most the batch in flight, which the next round takes
    /// again. On PostgreSQL replicas take disjoint batches (SKIP LOCKED). Returns how many,
    /// and where the next batch starts.
    pub async fn pseudonymise_batch(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        batch: u64,
        after: Option<(NaiveDate, Uuid)>,
    ) -> Result<(u64, Option<(NaiveDate, Uuid)>), StoreError> {
        let txn = begin_immediate(&self.conn).await?;
        let mut due = trajectory::Entity::find()
            .select_only()
            .column(trajectory::Column::PhaseSince)
            .column(trajectory::Column::Id)
            .filter(trajectory::Column::Phase.eq("closed"))
            .filter(trajectory::Column::PhaseSince.lt(self.policy.closed_before(today)))
            .filter(Expr::cust(SETTLED))
            .order_by_asc(trajectory::Column::PhaseSince)
            .order_by_asc(trajectory::Column::Id)
            .limit(batch);
        if let Some((since, id)) = after {
            due = due.filter(
                sea_orm::Condition::any()
                    .add(trajectory::Column::PhaseSince.gt(since))
                    .add(
                        trajectory::Column::PhaseSince
                            .eq(since)
                            .and(trajectory::Column::Id.gt(id)),
                    ),
            );
        }
        if txn.get_database_backend() == DbBackend::Postgres {
            due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let found: Vec<(NaiveDate, Uuid)> = due.into_tuple().all(&txn).await?;
        let Some(last) = found.last().copied() else {
            txn.commit().await?;
            return Ok((0, None));
        };
        let ids: Vec<Uuid> = found.iter().map(|(_, id)| *id).collect();
        erase(&txn, &ids).await?;
        mark_erased(&txn, &ids, "retention", now).await?;
        // Every removal is itself in the access log, committed with it.
        access_log::Entity::insert_many(crate::access_log::removals(&ids, now))
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        Ok((ids.len() as u64, Some(last)))
    }

    /// Removes up to `batch` idempotency records past their term; returns how many.
    pub async fn prune_idempotency(
        &self,
        now: DateTime<Utc>,
        batch: u64,
    ) -> Result<u64, StoreError> {
        let before = self.policy.idempotency_before(now);
        let keys: Vec<(String, String)> = idempotency_key::Entity::find()
            .select_only()
            .column(idempotency_key::Column::Org)
            .column(idempotency_key::Column::Key)
            .filter(idempotency_key::Column::CreatedAt.lt(before))
            .limit(batch)
            .into_tuple()
            .all(&self.conn)
            .await?;
        let mut removed = 0;
        for chunk in keys.chunks(100) {
            let mut any = sea_orm::Condition::any();
            for (org, key) in chunk {
                any = any.add(
                    idempotency_key::Column::Org
                        .eq(org.as_str())
                        .and(idempotency_key::Column::Key.eq(key.as_str())),
                );
            }
            removed += idempotency_key::Entity::delete_many()
                .filter(any)
                .exec(&self.conn)
                .await?
                .rows_affected;
        }
        Ok(removed)
    }

    /// A whole round: batches until nothing is due.
    pub async fn round(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        batch: u64,
    ) -> Result<RetentionRound, StoreError> {
        let mut done = RetentionRound::default();
        let mut after = None;
        loop {
            let (n, last) = self.pseudonymise_batch(today, now, batch, after).await?;
            done.trajectories_pseudonymised += n;
            if n < batch {
                break;
            }
            after = last;
        }
        loop {
            let n = self.prune_idempotency(now, batch).await?;
            done.idempotency_records_removed += n;
            if n < batch {
                break;
            }
        }
        Ok(done)
    }

    /// Erases one trajectory's personal details at once (AVG art. 17), unless held.
    pub async fn erase_now(
        &self,
        trajectory_id: Uuid,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<ErasureOutcome, StoreError> {
        let txn = begin_immediate(&self.conn).await?;
        trajectory::Entity::find_by_id(trajectory_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let state = state_in(&txn, trajectory_id).await?;
        if let Some(reason) = state.hold_reason {
            return Err(StoreError::Held { reason });
        }
        if let Some(erased_at) = state.erased_at {
            txn.commit().await?;
            return Ok(ErasureOutcome {
                erased_at,
                now: false,
                referrals: 0,
            });
        }
        let referrals = erase(&txn, &[trajectory_id]).await?;
        forget_messages(&txn, trajectory_id, &referrals).await?;
        mark_erased(&txn, &[trajectory_id], by, now).await?;
        txn.commit().await?;
        Ok(ErasureOutcome {
            erased_at: now,
            now: true,
            referrals: referrals.len(),
        })
    }

    /// Places (or changes) a legal hold.
    pub async fn hold(
        &self,
        trajectory_id: Uuid,
        reason: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<HoldState, StoreError> {
        let txn = begin_immediate(&self.conn).await?;
        trajectory::Entity::find_by_id(trajectory_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        trajectory_retention::Entity::insert(trajectory_retention::ActiveModel {
            trajectory_id: Set(trajectory_id),
            hold_reason: Set(Some(reason.to_owned())),
            held_at: Set(Some(now)),
            held_by: Set(Some(by.to_owned())),
            erased_at: NotSet,
            erased_by: NotSet,
        })
        .on_conflict(
            OnConflict::column(trajectory_retention::Column::TrajectoryId)
                .update_columns([
                    trajectory_retention::Column::HoldReason,
                    trajectory_retention::Column::HeldAt,
                    trajectory_retention::Column::HeldBy,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        let state = state_in(&txn, trajectory_id).await?;
        txn.commit().await?;
        Ok(state)
    }

    /// Lifts a legal hold (none is fine).
    pub async fn release(&self, trajectory_id: Uuid) -> Result<HoldState, StoreError> {
        let txn = begin_immediate(&self.conn).await?;
        trajectory::Entity::find_by_id(trajectory_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        trajectory_retention::Entity::update_many()
            .col_expr(
                trajectory_retention::Column::HoldReason,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                trajectory_retention::Column::HeldAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                trajectory_retention::Column::HeldBy,
                Expr::value(Option::<String>::None),
            )
            .filter(trajectory_retention::Column::TrajectoryId.eq(trajectory_id))
            .exec(&txn)
            .await?;
        let state = state_in(&txn, trajectory_id).await?;
        txn.commit().await?;
        Ok(state)
    }

    /// A trajectory's hold and erasure.
    pub async fn state(&self, trajectory_id: Uuid) -> Result<HoldState, StoreError> {
        trajectory::Entity::find_by_id(trajectory_id)
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        state_in(&self.conn, trajectory_id).await
    }
}

async fn state_in<C: ConnectionTrait>(
    conn: &C,
    trajectory_id: Uuid,
) -> Result<HoldState, StoreError> {
    Ok(trajectory_retention::Entity::find_by_id(trajectory_id)
        .one(conn)
        .await?
        .map(|row| HoldState {
            hold_reason: row.hold_reason,
            held_at: row.held_at,
            held_by: row.held_by,
            erased_at: row.erased_at,
        })
        .unwrap_or_default())
}

async fn mark_erased(
    txn: &DatabaseTransaction,
    ids: &[Uuid],
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let rows = ids.iter().map(|id| trajectory_retention::ActiveModel {
        trajectory_id: Set(*id),
        hold_reason: NotSet,
        held_at: NotSet,
        held_by: NotSet,
        erased_at: Set(Some(now)),
        erased_by: Set(Some(by.to_owned())),
    });
    trajectory_retention::Entity::insert_many(rows.collect::<Vec<_>>())
        .on_conflict(
            OnConflict::column(trajectory_retention::Column::TrajectoryId)
                .update_columns([
                    trajectory_retention::Column::ErasedAt,
                    trajectory_retention::Column::ErasedBy,
                ])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Webhook messages and stored idempotent answers that mention the trajectory or its
/// referrals: on erasure they go too (the job leaves them to their own, shorter terms).
async fn forget_messages(
    txn: &DatabaseTransaction,
    trajectory_id: Uuid,
    referrals: &[Uuid],
) -> Result<(), StoreError> {
    let ids: Vec<String> = std::iter::once(trajectory_id)
        .chain(referrals.iter().copied())
        .map(|id| id.to_string())
        .collect();
    let mut messages = sea_orm::Condition::any();
    let mut answers = sea_orm::Condition::any();
    for id in &ids {
        let pattern = format!("%{id}%");
        messages = messages.add(webhook_message::Column::Payload.like(pattern.clone()));
        answers = answers
            // `id` is a formatted UUID (hex digits and dashes), safe to write inline;
            // sea-query does not rewrite `?` for PostgreSQL in custom expressions.
            .add(Expr::cust(format!("CAST(body AS TEXT) LIKE '{pattern}'")))
            .add(idempotency_key::Column::Location.like(pattern));
    }
    let message_ids: Vec<Uuid> = webhook_message::Entity::find()
        .select_only()
        .column(webhook_message::Column::Id)
        .filter(messages)
        .into_tuple()
        .all(txn)
        .await?;
    if !message_ids.is_empty() {
        webhook_attempt::Entity::delete_many()
            .filter(webhook_attempt::Column::MessageId.is_in(message_ids.iter().copied()))
            .exec(txn)
            .await?;
        webhook_message::Entity::delete_many()
            .filter(webhook_message::Column::Id.is_in(message_ids))
            .exec(txn)
            .await?;
    }
    idempotency_key::Entity::delete_many()
        .filter(answers)
        .exec(txn)
        .await?;
    Ok(())
}
