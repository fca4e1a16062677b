//! Webhook subscriptions and their deliveries: registration, secret rotation, listing
//! attempts and replaying dead letters for the subscriber; claiming due messages with a
//! lease and recording each attempt (fenced by the lease token) for the dispatcher.

use chrono::{DateTime, Duration, Utc};
use herstelbrug_domain::{EventType, MessageId, OrgId, SubscriptionId};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::db::connect::begin_write;
use crate::db::idempotency::{Replayable, Respond, WriteContext, keyed_write};
use crate::db::write_txn::WriteTxn;
use crate::entity::{webhook_attempt, webhook_message, webhook_subscription};
use crate::error::StoreError;
use crate::notification::outbox;

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub org: OrgId,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub status: String,
    pub disabled_reason: Option<String>,
    /// The number of the last event sent to it (0: none yet).
    pub events_since_start: u64,
    /// When it last got an event or a heartbeat.
    pub last_event_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Subscription {
    /// The secrets that sign a delivery at `now`: the current one, and the previous one
    /// during its overlap after a rotation.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<String> {
        let mut secrets = vec![self.secret.clone()];
        if let (Some(old), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && now < until
        {
            secrets.push(old.clone());
        }
        secrets
    }
}

/// A message claimed for delivery, with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: MessageId,
    pub subscription_id: SubscriptionId,
    pub url: String,
    pub secrets: Vec<String>,
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again at the given time.
    Retry {
        at: DateTime<Utc>,
    },
    /// No more attempts: dead-lettered.
    Dead,
    /// The receiver answered 410 Gone: the subscription is disabled, the message dead.
    Gone,
}

impl Outcome {
    fn as_str(&self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Retry { .. } => "retry",
            Outcome::Dead => "dead",
            Outcome::Gone => "disabled",
        }
    }
}

/// One attempt's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: Uuid,
    pub message_id: MessageId,
    pub event_type: String,
    pub attempt: u32,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
    pub outcome: String,
    /// The message's state now: `pending`, `delivered` or `dead`.
    pub message_status: String,
}

#[derive(Clone, Debug)]
pub struct WebhookStore {
    conn: DatabaseConnection,
}

pub(crate) fn from_row(row: webhook_subscription::Model) -> Result<Subscription, StoreError> {
    Ok(Subscription {
        id: SubscriptionId::from_uuid(row.id),
        org: row
            .org
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("webhook_subscriptions.org: {e}")))?,
        url: row.url,
        event_types: row
            .event_types
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("webhook_subscriptions.event_types: {e}")))?,
        secret: row.secret,
        previous_secret: row.previous_secret,
        previous_secret_until: row.previous_secret_until,
        status: row.status,
        disabled_reason: row.disabled_reason,
        events_since_start: u64::try_from(row.events_since_start).unwrap_or_default(),
        last_event_at: row.last_event_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

// PostgreSQL: SKIP LOCKED lets dispatchers claim disjoint batches. SQLite: one statement
// with a single writer is the atomic conditional claim. Either way only the oldest pending
// message of a subscription and ordering key is eligible, so each trajectory's messages
// reach a subscriber in order; an event is eligible once it is numbered.
const CLAIM_POSTGRES: &str = "UPDATE webhook_messages SET lease_until = $1, lease_token = $2 \
    WHERE id IN (SELECT m.id FROM webhook_messages m \
        WHERE m.status = 'pending' AND m.next_attempt_at <= $3 AND (m.lease_until IS NULL OR m.lease_until < $3) \
        AND (m.event_number IS NOT NULL OR m.event_type IN ('webhook.test', 'webhook.heartbeat')) \
        AND EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = m.subscription_id AND s.status = 'active') \
        AND NOT EXISTS (SELECT 1 FROM webhook_messages e WHERE e.subscription_id = m.subscription_id \
            AND e.ordering_key = m.ordering_key AND e.status = 'pending' AND e.id < m.id) \
        ORDER BY m.next_attempt_at LIMIT $4 FOR UPDATE OF m SKIP LOCKED) \
    RETURNING id";
const CLAIM_SQLITE: &str = "UPDATE webhook_messages SET lease_until = ?, lease_token = ? \
    WHERE id IN (SELECT m.id FROM webhook_messages m \
        WHERE m.status = 'pending' AND m.next_attempt_at <= ? AND (m.lease_until IS NULL OR m.lease_until < ?) \
        AND (m.event_number IS NOT NULL OR m.event_type IN ('webhook.test', 'webhook.heartbeat')) \
        AND EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = m.subscription_id AND s.status = 'active') \
        AND NOT EXISTS (SELECT 1 FROM webhook_messages e WHERE e.subscription_id = m.subscription_id \
            AND e.ordering_key = m.ordering_key AND e.status = 'pending' AND e.id < m.id) \
        ORDER BY m.next_attempt_at LIMIT ?) \
    RETURNING id";

impl WebhookStore {
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Creates a subscription (keyed: a retry answers with the first response).
    pub async fn create(
        &self,
        org: OrgId,
        subscription: NewSubscription<'_>,
        write: WriteContext<'_>,
        respond: Respond<'_, Subscription>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            let id = SubscriptionId::new_at(now);
            let types: Vec<&str> = subscription
                .event_types
                .iter()
                .map(|t| t.as_str())
                .collect();
            webhook_subscription::Entity::insert(webhook_subscription::ActiveModel {
                id: Set(id.as_uuid()),
                org: Set(org.to_string()),
                url: Set(subscription.url.to_owned()),
                event_types: Set(types.join(",")),
                secret: Set(subscription.secret.to_owned()),
                previous_secret: Set(None),
                previous_secret_until: Set(None),
                status: Set("active".to_owned()),
                disabled_reason: Set(None),
                events_since_start: Set(0),
                last_event_at: Set(Some(now)),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_without_returning(txn)
            .await?;
            get_in(txn, id, org).await
        })
        .await?;
        Ok(keyed.outcome)
    }

    /// The organisation's subscriptions (deleted ones left out).
    pub async fn list(&self, org: OrgId) -> Result<Vec<Subscription>, StoreError> {
        webhook_subscription::Entity::find()
            .filter(webhook_subscription::Column::Org.eq(org.to_string()))
            .filter(webhook_subscription::Column::Status.ne("deleted"))
            .order_by_asc(webhook_subscription::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    pub async fn get(&self, id: SubscriptionId, org: OrgId) -> Result<Subscription, StoreError> {
        get_in(&self.conn, id, org).await
    }

    /// Deletes a subscription: nothing more is delivered; its history is kept.
    pub async fn delete(
        &self,
        id: SubscriptionId,
        org: OrgId,
        write: WriteContext<'_>,
        respond: Respond<'_, ()>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            set_status(txn, id, Some(org), "deleted", None, now).await
        })
        .await?;
        Ok(keyed.outcome)
    }

    /// Replaces the secret; the old one keeps signing until `overlap_until`.
    pub async fn rotate(
        &self,
        id: SubscriptionId,
        org: OrgId,
        rotation: Rotation<'_>,
        write: WriteContext<'_>,
        respond: Respond<'_, Subscription>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            let current = get_in(txn, id, org).await?;
            webhook_subscription::Entity::update_many()
                .col_expr(
                    webhook_subscription::Column::PreviousSecret,
                    current.secret.into(),
                )
                .col_expr(
                    webhook_subscription::Column::PreviousSecretUntil,
                    rotation.overlap_until.into(),
                )
                .col_expr(
                    webhook_subscription::Column::Secret,
                    rotation.secret.to_owned().into(),
                )
                .col_expr(webhook_subscription::Column::UpdatedAt, now.into())
                .filter(webhook_subscription::Column::Id.eq(id.as_uuid()))
                .exec(txn)
                .await?;
            get_in(txn, id, org).await
        })
        .await?;
        Ok(keyed.outcome)
    }

    /// Queues a `webhook.test` message for the subscription.
    pub async fn send_test(
        &self,
        id: SubscriptionId,
        org: OrgId,
        write: WriteContext<'_>,
        respond: Respond<'_, MessageId>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            let subscription = get_in(txn, id, org).await?;
            // Test messages are independent of each other: no ordering key to wait on.
            outbox::insert(
                txn,
                EventType::Test,
                Uuid::new_v4(),
                serde_json::json!({"subscription_id": subscription.id.as_uuid()}),
                outbox::Envelope {
                    subscription: id.as_uuid(),
                    events_since_start: Some(
                        i64::try_from(subscription.events_since_start).unwrap_or(i64::MAX),
                    ),
                },
                now,
            )
            .await
        })
        .await?;
        Ok(keyed.outcome)
    }

    /// The subscription's delivery attempts, newest first.
    pub async fn attempts(
        &self,
        id: SubscriptionId,
        org: OrgId,
        limit: u64,
    ) -> Result<Vec<Attempt>, StoreError> {
        self.get(id, org).await?;
        let rows = webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::SubscriptionId.eq(id.as_uuid()))
            .order_by_desc(webhook_attempt::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?;
        let messages: std::collections::HashMap<Uuid, webhook_message::Model> =
            webhook_message::Entity::find()
                .filter(webhook_message::Column::Id.is_in(rows.iter().map(|r| r.message_id)))
                .all(&self.conn)
                .await?
                .into_iter()
                .map(|m| (m.id, m))
                .collect();
        Ok(rows
            .into_iter()
            .map(|row| {
                let message = messages.get(&row.message_id);
                Attempt {
                    id: row.id,
                    message_id: MessageId::from_uuid(row.message_id),
                    event_type: message.map(|m| m.event_type.clone()).unwrap_or_default(),
                    attempt: u32::try_from(row.attempt).unwrap_or_default(),
                    attempted_at: row.attempted_at,
                    status_code: row.status_code.and_then(|c| u16::try_from(c).ok()),
                    error: row.error,
                    duration_ms: u64::try_from(row.duration_ms).unwrap_or_default(),
                    outcome: row.outcome,
                    message_status: message.map(|m| m.status.clone()).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Sends a dead-lettered message again, with the same id, on a fresh retry schedule.
    pub async fn replay(
        &self,
        id: SubscriptionId,
        message: MessageId,
        org: OrgId,
        write: WriteContext<'_>,
        respond: Respond<'_, ()>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            get_in(txn, id, org).await?;
            let updated = webhook_message::Entity::update_many()
                .col_expr(webhook_message::Column::Status, "pending".into())
                .col_expr(webhook_message::Column::Attempts, 0.into())
                .col_expr(webhook_message::Column::NextAttemptAt, now.into())
                .filter(webhook_message::Column::Id.eq(message.as_uuid()))
                .filter(webhook_message::Column::SubscriptionId.eq(id.as_uuid()))
                .filter(webhook_message::Column::Status.eq("dead"))
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await?;
        Ok(keyed.outcome)
    }

    /// Claims up to `batch` due messages for `lease`.
    pub async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        batch: u32,
        token: Uuid,
    ) -> Result<Vec<Claimed>, StoreError> {
        let backend = self.conn.get_database_backend();
        let until = now + lease;
        let statement = match backend {
            DbBackend::Postgres => Statement::from_sql_and_values(
                backend,
                CLAIM_POSTGRES,
                [
                    until.into(),
                    token.into(),
                    now.into(),
                    i64::from(batch).into(),
                ],
            ),
            _ => Statement::from_sql_and_values(
                backend,
                CLAIM_SQLITE,
                [
                    until.into(),
                    token.into(),
                    now.into(),
                    now.into(),
                    i64::from(batch).into(),
                ],
            ),
        };
        let ids: Vec<Uuid> = self
            .conn
            .query_all_raw(statement)
            .await?
            .iter()
            .map(|row| row.try_get::<Uuid>("", "id"))
            .collect::<Result<_, _>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let messages = webhook_message::Entity::find()
            .filter(webhook_message::Column::Id.is_in(ids))
            .order_by_asc(webhook_message::Column::Id)
            .all(&self.conn)
            .await?;
        let subscriptions: std::collections::HashMap<Uuid, Subscription> =
            webhook_subscription::Entity::find()
                .filter(
                    webhook_subscription::Column::Id
                        .is_in(messages.iter().map(|m| m.subscription_id)),
                )
                .all(&self.conn)
                .await?
                .into_iter()
                .map(|row| from_row(row).map(|s| (s.id.as_uuid(), s)))
                .collect::<Result<_, _>>()?;
        Ok(messages
            .into_iter()
            .filter_map(|m| {
                let subscription = subscriptions.get(&m.subscription_id)?;
                Some(Claimed {
                    id: MessageId::from_uuid(m.id),
                    subscription_id: subscription.id,
                    url: subscription.url.clone(),
                    secrets: subscription.signing_secrets(now),
                    payload: match m.event_number {
                        Some(number) => outbox::numbered(&m.payload, number),
                        None => m.payload,
                    },
                    attempts: u32::try_from(m.attempts).unwrap_or_default(),
                })
            })
            .collect())
    }

    /// Records an attempt on a claimed message. Returns false, writing nothing, when the
    /// claim is no longer ours (the lease ran out and another dispatcher took it).
    #[allow(clippy::too_many_arguments)]
    pub async fn record(
        &self,
        claimed: &Claimed,
        result: AttemptResult<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let AttemptResult {
            token,
            outcome,
            status_code,
            error,
            duration_ms,
        } = result;
        let txn = begin_write(&self.conn).await?;
        let attempt = claimed.attempts + 1;
        let (status, next) = match outcome {
            Outcome::Delivered => ("delivered", now),
            Outcome::Retry { at } => ("pending", *at),
            Outcome::Dead | Outcome::Gone => ("dead", now),
        };
        let error = error.map(|e| e.chars().take(500).collect::<String>());
        let updated = webhook_message::Entity::update_many()
            .col_expr(webhook_message::Column::Status, status.into())
            .col_expr(
                webhook_message::Column::Attempts,
                i32::try_from(attempt).unwrap_or(i32::MAX).into(),
            )
            .col_expr(webhook_message::Column::NextAttemptAt, next.into())
            .col_expr(
                webhook_message::Column::LeaseUntil,
                Option::<DateTime<Utc>>::None.into(),
            )
            .col_expr(
                webhook_message::Column::LeaseToken,
                Option::<Uuid>::None.into(),
            )
            .col_expr(webhook_message::Column::LastError, error.clone().into())
            .col_expr(
                webhook_message::Column::DeliveredAt,
                (matches!(outcome, Outcome::Delivered).then_some(now)).into(),
            )
            .filter(webhook_message::Column::Id.eq(claimed.id.as_uuid()))
            .filter(webhook_message::Column::LeaseToken.eq(token))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        webhook_attempt::Entity::insert(webhook_attempt::ActiveModel {
            id: Set(MessageId::new_at(now).as_uuid()),
            message_id: Set(claimed.id.as_uuid()),
            subscription_id: Set(claimed.subscription_id.as_uuid()),
            attempt: Set(i32::try_from(attempt).unwrap_or(i32::MAX)),
            attempted_at: Set(now),
            status_code: Set(status_code.map(i32::from)),
            error: Set(error),
            duration_ms: Set(i64::try_from(duration_ms).unwrap_or(i64::MAX)),
            outcome: Set(outcome.as_str().to_owned()),
        })
        .exec_without_returning(&txn)
        .await?;
        if matches!(outcome, Outcome::Gone) {
            set_status(
                &txn,
                claimed.subscription_id,
                None,
                "disabled",
                Some("the endpoint answered 410 Gone"),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        Ok(true)
    }
}

/// A subscription `org` owns (deleted ones are gone).
pub(crate) async fn get_in<C: ConnectionTrait>(
    conn: &C,
    id: SubscriptionId,
    org: OrgId,
) -> Result<Subscription, StoreError> {
    let row = webhook_subscription::Entity::find_by_id(id.as_uuid())
        .filter(webhook_subscription::Column::Org.eq(org.to_string()))
        .filter(webhook_subscription::Column::Status.ne("deleted"))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(row)
}

/// What a new subscription is.
#[derive(Debug, Clone, Copy)]
pub struct NewSubscription<'a> {
    pub url: &'a str,
    pub event_types: &'a [EventType],
    pub secret: &'a str,
}

/// A new secret, and until when the old one still signs.
#[derive(Debug, Clone, Copy)]
pub struct Rotation<'a> {
    pub secret: &'a str,
    pub overlap_until: DateTime<Utc>,
}

async fn set_status<C: ConnectionTrait>(
    conn: &C,
    id: SubscriptionId,
    org: Option<OrgId>,
    status: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut update = webhook_subscription::Entity::update_many()
        .col_expr(webhook_subscription::Column::Status, status.into())
        .col_expr(
            webhook_subscription::Column::DisabledReason,
            reason.map(str::to_owned).into(),
        )
        .col_expr(webhook_subscription::Column::UpdatedAt, now.into())
        .filter(webhook_subscription::Column::Id.eq(id.as_uuid()))
        .filter(webhook_subscription::Column::Status.ne("deleted"));
    if let Some(org) = org {
        update = update.filter(webhook_subscription::Column::Org.eq(org.to_string()));
    }
    if update.exec(conn).await?.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// What one delivery attempt of a claimed message came to: the claim's `token`, the
/// outcome, the receiver's status and error if any, and how long it took.
pub struct AttemptResult<'a> {
    pub token: Uuid,
    pub outcome: &'a Outcome,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
}
