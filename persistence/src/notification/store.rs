//! Numbered notifications after delivery: a subscription's status (its last event number,
//! how deliveries stand, the last error), the events of a number range for catch-up
//! within the retention, heartbeats to quiet subscriptions, and pruning what is older
//! than the retention and no longer pending.

use chrono::{DateTime, Duration, Utc};
use herstelbrug_domain::notification::{DeliveryCounts, EventRange};
use herstelbrug_domain::{EventType, OrgId, SubscriptionId};
use sea_orm::sea_query::{CaseStatement, Expr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use uuid::Uuid;

use crate::db::connect::begin_write;
use crate::entity::{webhook_attempt, webhook_message, webhook_subscription};
use crate::error::StoreError;
use crate::notification::outbox::{self, Envelope};
use crate::notification::webhook_store::{Subscription, WebhookStore, from_row, get_in};

/// A subscription's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionStatus {
    pub subscription: Subscription,
    pub counts: DeliveryCounts,
    /// Messages waiting for an attempt (first or later).
    pub pending: u64,
    pub last_delivered_event: Option<u64>,
    pub last_delivered_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

/// One numbered event as it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedEvent {
    pub number: u64,
    pub event_type: String,
    pub created_at: DateTime<Utc>,
    /// The exact JSON body sent (or to be sent).
    pub payload: String,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A page of a range; `next_since` continues it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPage {
    pub items: Vec<NumberedEvent>,
    pub next_since: Option<u64>,
}

/// The advisory lock key of the numbering pass ("hbnumber" in ASCII, as an integer).
const NUMBERING_LOCK: i64 = 0x6862_6e75_6d62_6572;

const COUNTS: &str = "SELECT \
    COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
    COALESCE(SUM(CASE WHEN status = 'pending' AND attempts > 0 THEN 1 ELSE 0 END), 0) AS failing, \
    COALESCE(SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), 0) AS dead, \
    MAX(CASE WHEN status = 'delivered' THEN event_number END) AS last_delivered \
    FROM webhook_messages WHERE subscription_id = ";

/// Committed events without a number yet (test and heartbeat messages never get one),
/// oldest first: their ids and subscriptions.
fn unnumbered(limit: u64) -> sea_orm::Select<webhook_message::Entity> {
    webhook_message::Entity::find()
        .select_only()
        .column(webhook_message::Column::Id)
        .column(webhook_message::Column::SubscriptionId)
        .filter(webhook_message::Column::EventNumber.is_null())
        .filter(
            webhook_message::Column::EventType
                .is_not_in([EventType::Test.as_str(), EventType::Heartbeat.as_str()]),
        )
        .order_by_asc(webhook_message::Column::Id)
        .limit(limit)
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

impl WebhookStore {
    /// How subscription `id` of `org` stands.
    pub async fn status(
        &self,
        id: SubscriptionId,
        org: OrgId,
    ) -> Result<SubscriptionStatus, StoreError> {
        let conn = self.conn();
        let subscription = get_in(conn, id, org).await?;
        let backend = conn.get_database_backend();
        let placeholder = if backend == DbBackend::Postgres {
            "$1"
        } else {
            "?"
        };
        let row = conn
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                format!("{COUNTS}{placeholder}"),
                [id.as_uuid().into()],
            ))
            .await?
            .ok_or(StoreError::NotFound)?;
        let last_delivered = webhook_message::Entity::find()
            .filter(webhook_message::Column::SubscriptionId.eq(id.as_uuid()))
            .filter(webhook_message::Column::Status.eq("delivered"))
            .order_by_desc(webhook_message::Column::DeliveredAt)
            .one(conn)
            .await?;
        let last_error = webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::SubscriptionId.eq(id.as_uuid()))
            .filter(webhook_attempt::Column::Error.is_not_null())
            .order_by_desc(webhook_attempt::Column::Id)
            .one(conn)
            .await?;
        let last_delivered_event: Option<i64> = row.try_get("", "last_delivered")?;
        Ok(SubscriptionStatus {
            counts: DeliveryCounts {
                disabled: subscription.status == "disabled",
                failing: count(row.try_get("", "failing")?),
                dead: count(row.try_get("", "dead")?),
            },
            pending: count(row.try_get("", "pending")?),
            last_delivered_event: last_delivered_event.map(count),
            last_delivered_at: last_delivered.and_then(|m| m.delivered_at),
            last_error_at: last_error.as_ref().map(|a| a.attempted_at),
            last_error: last_error.and_then(|a| a.error),
            subscription,
        })
    }

    /// The events of `range` (at most `limit`), oldest first; a range that starts before
    /// `horizon` (the retention) is refused, since what it asks for may be pruned.
    pub async fn events(
        &self,
        id: SubscriptionId,
        org: OrgId,
        range: EventRange,
        limit: u64,
        horizon: DateTime<Utc>,
    ) -> Result<EventPage, StoreError> {
        let conn = self.conn();
        let subscription = get_in(conn, id, org).await?;
        if range.first() > subscription.events_since_start {
            return Ok(EventPage {
                items: Vec::new(),
                next_since: None,
            });
        }
        let first = i64::try_from(range.first()).unwrap_or(i64::MAX);
        let start = webhook_message::Entity::find()
            .filter(webhook_message::Column::SubscriptionId.eq(id.as_uuid()))
            .filter(webhook_message::Column::EventNumber.eq(first))
            .one(conn)
            .await?;
        if start.is_none_or(|m| m.created_at < horizon) {
            let oldest = webhook_message::Entity::find()
                .filter(webhook_message::Column::SubscriptionId.eq(id.as_uuid()))
                .filter(webhook_message::Column::EventNumber.is_not_null())
                .filter(webhook_message::Column::CreatedAt.gte(horizon))
                .order_by_asc(webhook_message::Column::EventNumber)
                .one(conn)
                .await?
                .and_then(|m| m.event_number);
            let detail = match oldest {
                Some(n) => format!(
                    "since: event {} is older than the retention; the oldest event still kept is {n}, so ask with since={}",
                    range.first(),
                    n - 1
                ),
                None => format!(
                    "since: event {} is older than the retention and no event within it is kept; read the current state through the API",
                    range.first()
                ),
            };
            return Err(StoreError::Expired { detail });
        }
        let mut select = webhook_message::Entity::find()
            .filter(webhook_message::Column::SubscriptionId.eq(id.as_uuid()))
            .filter(webhook_message::Column::EventNumber.gte(first));
        if let Some(until) = range.until {
            select = select.filter(
                webhook_message::Column::EventNumber.lte(i64::try_from(until).unwrap_or(i64::MAX)),
            );
        }
        let rows = select
            .order_by_asc(webhook_message::Column::EventNumber)
            .limit(limit.saturating_add(1))
            .all(conn)
            .await?;
        let more = rows.len() as u64 > limit;
        let items: Vec<NumberedEvent> = rows
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .filter_map(|m| {
                let number = m.event_number?;
                Some(NumberedEvent {
                    number: count(number),
                    event_type: m.event_type,
                    created_at: m.created_at,
                    payload: outbox::numbered(&m.payload, number),
                    status: m.status,
                    delivered_at: m.delivered_at,
                })
            })
            .collect();
        let next_since = more.then(|| items.last().map(|e| e.number)).flatten();
        Ok(EventPage { items, next_since })
    }

    /// Numbers up to `batch` events that are committed and not yet numbered, each in its
    /// subscription, oldest first; returns how many. One pass at a time (PostgreSQL: a
    /// transaction-scoped advisory lock, skipped when another replica holds it; SQLite:
    /// the single writer), so numbers never repeat or skip, while writers never wait on
    /// a subscription's counter.
    pub async fn number_events(&self, now: DateTime<Utc>, batch: u64) -> Result<usize, StoreError> {
        let conn = self.conn();
        // Runs every dispatcher tick on every replica: only take the write lock (on
        // SQLite, the database's one writer) when something waits.
        if unnumbered(1)
            .into_tuple::<(Uuid, Uuid)>()
            .one(conn)
            .await?
            .is_none()
        {
            return Ok(0);
        }
        let txn = begin_write(conn).await?;
        if conn.get_database_backend() == DbBackend::Postgres {
            let locked = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("SELECT pg_try_advisory_xact_lock({NUMBERING_LOCK}) AS locked"),
                ))
                .await?
                .and_then(|row| row.try_get::<bool>("", "locked").ok())
                .unwrap_or(false);
            if !locked {
                txn.rollback().await?;
                return Ok(0);
            }
        }
        let waiting: Vec<(Uuid, Uuid)> = unnumbered(batch).into_tuple().all(&txn).await?;
        if waiting.is_empty() {
            txn.rollback().await?;
            return Ok(0);
        }
        let mut per_subscription: Vec<(Uuid, Vec<Uuid>)> = Vec::new();
        for (message, subscription) in &waiting {
            match per_subscription.iter_mut().find(|(s, _)| s == subscription) {
                Some((_, messages)) => messages.push(*message),
                None => per_subscription.push((*subscription, vec![*message])),
            }
        }
        let added = per_subscription
            .iter()
            .fold(CaseStatement::new(), |case, (id, messages)| {
                case.case(
                    webhook_subscription::Column::Id.eq(*id),
                    Expr::val(i64::try_from(messages.len()).unwrap_or(i64::MAX)),
                )
            });
        let counted = webhook_subscription::Entity::update_many()
            .col_expr(
                webhook_subscription::Column::EventsSinceStart,
                Expr::col(webhook_subscription::Column::EventsSinceStart)
                    .add(added.finally(Expr::val(0i64))),
            )
            .col_expr(webhook_subscription::Column::LastEventAt, Expr::val(now))
            .filter(
                webhook_subscription::Column::Id.is_in(per_subscription.iter().map(|(id, _)| *id)),
            )
            .exec_with_returning(&txn)
            .await?;
        let mut numbers = CaseStatement::new();
        for row in &counted {
            let Some((_, messages)) = per_subscription.iter().find(|(id, _)| *id == row.id) else {
                continue;
            };
            let first = row.events_since_start - i64::try_from(messages.len()).unwrap_or(i64::MAX);
            for (offset, message) in (1i64..).zip(messages) {
                numbers = numbers.case(
                    webhook_message::Column::Id.eq(*message),
                    Expr::val(first + offset),
                );
            }
        }
        webhook_message::Entity::update_many()
            .col_expr(
                webhook_message::Column::EventNumber,
                numbers.finally(Expr::val(Option::<i64>::None)).into(),
            )
            .filter(webhook_message::Column::Id.is_in(waiting.iter().map(|(id, _)| *id)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(waiting.len())
    }

    /// Queues a heartbeat for up to `batch` active subscriptions that heard nothing for
    /// `quiet`; returns how many. Each is claimed by a conditional update, so two
    /// replicas never send the same heartbeat twice.
    pub async fn heartbeats(
        &self,
        now: DateTime<Utc>,
        quiet: Duration,
        batch: u64,
    ) -> Result<usize, StoreError> {
        let cutoff = now - quiet;
        let quiet_ones = webhook_subscription::Entity::find()
            .filter(webhook_subscription::Column::Status.eq("active"))
            .filter(webhook_subscription::Column::LastEventAt.lte(cutoff))
            .order_by_asc(webhook_subscription::Column::LastEventAt)
            .limit(batch)
            .all(self.conn())
            .await?;
        let mut sent = 0;
        for row in quiet_ones {
            let subscription = from_row(row)?;
            let txn = begin_write(self.conn()).await?;
            let claimed = webhook_subscription::Entity::update_many()
                .col_expr(webhook_subscription::Column::LastEventAt, Some(now).into())
                .filter(webhook_subscription::Column::Id.eq(subscription.id.as_uuid()))
                .filter(webhook_subscription::Column::Status.eq("active"))
                .filter(webhook_subscription::Column::LastEventAt.lte(cutoff))
                .exec(&txn)
                .await?;
            if claimed.rows_affected == 0 {
                txn.rollback().await?;
                continue;
            }
            // A heartbeat says "nothing happened, the line works": while messages to this
            // subscription still wait (a dead endpoint), it would only queue behind them,
            // one more every quiet period. The claim stands, so the round moves on.
            let waiting = webhook_message::Entity::find()
                .filter(webhook_message::Column::SubscriptionId.eq(subscription.id.as_uuid()))
                .filter(webhook_message::Column::Status.eq("pending"))
                .one(&txn)
                .await?;
            if waiting.is_some() {
                txn.commit().await?;
                continue;
            }
            outbox::insert(
                &txn,
                EventType::Heartbeat,
                Uuid::new_v4(),
                serde_json::json!({"subscription_id": subscription.id.as_uuid()}),
                Envelope {
                    subscription: subscription.id.as_uuid(),
                    events_since_start: Some(
                        i64::try_from(subscription.events_since_start).unwrap_or(i64::MAX),
                    ),
                },
                now,
            )
            .await?;
            txn.commit().await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// Deletes up to `batch` messages created before `horizon` that are delivered or dead
    /// (never a pending one), with their attempts; returns how many.
    pub async fn prune(&self, horizon: DateTime<Utc>, batch: u64) -> Result<u64, StoreError> {
        let ids: Vec<Uuid> = webhook_message::Entity::find()
            .select_only()
            .column(webhook_message::Column::Id)
            .filter(webhook_message::Column::CreatedAt.lt(horizon))
            .filter(webhook_message::Column::Status.ne("pending"))
            .order_by_asc(webhook_message::Column::Id)
            .limit(batch)
            .into_tuple()
            .all(self.conn())
            .await?;
        if ids.is_empty() {
            return Ok(0);
        }
        // Each subscription's last delivered event and last delivery stay, so its status
        // still says how far it got after everything older is pruned.
        let keep = self.last_deliveries(&ids).await?;
        let ids: Vec<Uuid> = ids.into_iter().filter(|id| !keep.contains(id)).collect();
        if ids.is_empty() {
            return Ok(0);
        }
        let txn = begin_write(self.conn()).await?;
        webhook_attempt::Entity::delete_many()
            .filter(webhook_attempt::Column::MessageId.is_in(ids.iter().copied()))
            .exec(&txn)
            .await?;
        let deleted = webhook_message::Entity::delete_many()
            .filter(webhook_message::Column::Id.is_in(ids))
            .filter(webhook_message::Column::Status.ne("pending"))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(deleted.rows_affected)
    }

    /// Of the subscriptions that `ids` belong to, the messages that hold each one's last
    /// delivered event (highest number) and last delivery (latest time): two grouped
    /// reads, then the ids among `ids` that match either.
    async fn last_deliveries(&self, ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
        use std::collections::HashMap;
        type Candidate = (Uuid, Uuid, Option<i64>, Option<DateTime<Utc>>);
        let candidates: Vec<Candidate> = webhook_message::Entity::find()
            .select_only()
            .column(webhook_message::Column::Id)
            .column(webhook_message::Column::SubscriptionId)
            .column(webhook_message::Column::EventNumber)
            .column(webhook_message::Column::DeliveredAt)
            .filter(webhook_message::Column::Id.is_in(ids.iter().copied()))
            .filter(webhook_message::Column::Status.eq("delivered"))
            .into_tuple()
            .all(self.conn())
            .await?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let subscriptions: Vec<Uuid> = candidates.iter().map(|c| c.1).collect();
        let latest = |column: webhook_message::Column| {
            webhook_message::Entity::find()
                .select_only()
                .column(webhook_message::Column::SubscriptionId)
                .column_as(Expr::col(column).max(), "latest")
                .filter(webhook_message::Column::Status.eq("delivered"))
                .filter(webhook_message::Column::SubscriptionId.is_in(subscriptions.clone()))
                .group_by(webhook_message::Column::SubscriptionId)
        };
        let numbers: HashMap<Uuid, Option<i64>> = latest(webhook_message::Column::EventNumber)
            .into_tuple()
            .all(self.conn())
            .await?
            .into_iter()
            .collect();
        let times: HashMap<Uuid, Option<DateTime<Utc>>> =
            latest(webhook_message::Column::DeliveredAt)
                .into_tuple()
                .all(self.conn())
                .await?
                .into_iter()
                .collect();
        Ok(candidates
            .into_iter()
            .filter(|(_, subscription, number, at)| {
                (number.is_some() && numbers.get(subscription) == Some(number))
                    || (at.is_some() && times.get(subscription) == Some(at))
            })
            .map(|(id, ..)| id)
            .collect())
    }
}
