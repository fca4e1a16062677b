//! Bounded feeds: entries older than the retention are pruned, oldest first, and each
//! feed remembers the last position it lost (`feed_horizons`). A cursor before that
//! position has missed entries and is refused (410) instead of silently skipping them;
//! nothing within the retention is ever pruned, so a cursor read within it stays good.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::db::connect::begin_write;
use crate::entity::{feed_entry, feed_horizon};
use crate::error::StoreError;
use crate::feed::FeedCursor;

/// Refuses `after` when its feed lost entries after it.
pub(crate) async fn check_cursor(
    conn: &DatabaseConnection,
    key: &str,
    stream: &str,
    after: FeedCursor,
) -> Result<(), StoreError> {
    if after == FeedCursor::default() {
        // From the start: everything still kept.
        return Ok(());
    }
    let horizon = feed_horizon::Entity::find_by_id((key.to_owned(), stream.to_owned()))
        .one(conn)
        .await?;
    match horizon {
        Some(h) if after < (FeedCursor { tx_id: h.tx_id, id: h.id }) => Err(StoreError::Expired {
            detail: "after: this cursor is older than the feed's retention and changes after it were pruned; start again without `after` and reconcile from the current state".to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Deletes up to `batch` feed entries recorded before `horizon`, moving each feed's
/// horizon to the last entry it lost, in one transaction; returns how many.
pub async fn prune(
    conn: &DatabaseConnection,
    horizon: DateTime<Utc>,
    batch: u64,
) -> Result<u64, StoreError> {
    let old = feed_entry::Entity::find()
        .filter(feed_entry::Column::RecordedAt.lt(horizon))
        .order_by_asc(feed_entry::Column::Id)
        .limit(batch)
        .all(conn)
        .await?;
    if old.is_empty() {
        return Ok(0);
    }
    let mut lost: std::collections::BTreeMap<(String, String), FeedCursor> = Default::default();
    for entry in &old {
        let position = FeedCursor {
            tx_id: entry.tx_id,
            id: entry.id,
        };
        let last = lost
            .entry((entry.org.clone(), entry.stream.clone()))
            .or_default();
        *last = (*last).max(position);
    }
    let txn = begin_write(conn).await?;
    for ((org, stream), position) in lost {
        // Only ever forward: a concurrent pruner may have moved it further.
        feed_horizon::Entity::insert(feed_horizon::ActiveModel {
            org: Set(org),
            stream: Set(stream),
            tx_id: Set(position.tx_id),
            id: Set(position.id),
        })
        .on_conflict(
            OnConflict::columns([feed_horizon::Column::Org, feed_horizon::Column::Stream])
                .value(
                    feed_horizon::Column::TxId,
                    keep_further(feed_horizon::Column::TxId, position.tx_id, position),
                )
                .value(
                    feed_horizon::Column::Id,
                    keep_further(feed_horizon::Column::Id, position.id, position),
                )
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    let deleted = feed_entry::Entity::delete_many()
        .filter(feed_entry::Column::Id.is_in(old.iter().map(|e| e.id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(deleted.rows_affected)
}

/// On conflict: the stored column if the stored horizon is already past `position`,
/// else `value` (that column of `position`).
fn keep_further(column: feed_horizon::Column, value: i64, position: FeedCursor) -> Expr {
    let stored = |c: feed_horizon::Column| Expr::col((feed_horizon::Entity, c));
    let further = stored(feed_horizon::Column::TxId)
        .gt(position.tx_id)
        .or(stored(feed_horizon::Column::TxId)
            .eq(position.tx_id)
            .and(stored(feed_horizon::Column::Id).gt(position.id)));
    Expr::case(further, stored(column)).finally(value).into()
}
