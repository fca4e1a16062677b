//! The webhook outbox: every feed change that a subscription of the organisation wants
//! becomes a message in the same transaction, so none is lost and none is sent for a
//! change that rolled back. Payloads are thin (ids, type, time, the URL to fetch): no
//! personal data leaves except through the API and its access rules.

use chrono::{DateTime, Utc};
use herstelbrug_domain::{EventType, MessageId};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryTrait as _;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::db::write_txn::WriteTxn;
use crate::entity::{webhook_message, webhook_subscription};
use crate::error::StoreError;

/// What changed, as a webhook announces it.
#[derive(Debug, Clone)]
pub(crate) struct Announcement<'a> {
    pub event: EventType,
    /// `referral` or `alert`.
    pub subject: &'static str,
    pub subject_id: Uuid,
    pub change: &'a str,
    pub version: u32,
    /// Messages with one ordering key are delivered in order.
    pub ordering_key: Uuid,
}

/// Which subscription a message goes to, and for test and heartbeat messages the
/// subscription's count so far. An event gets its own number later, from the numbering
/// pass ([`numbered`]), so writers never wait on each other for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Envelope {
    pub subscription: Uuid,
    /// `None` for an event (numbered after commit).
    pub events_since_start: Option<i64>,
}

pub(crate) fn payload(
    event: EventType,
    data: serde_json::Value,
    now: DateTime<Utc>,
    envelope: Envelope,
) -> String {
    let mut body = serde_json::json!({
        "type": event.as_str(),
        "timestamp": now.to_rfc3339(),
        "subscription_id": envelope.subscription,
        "data": data,
    });
    if let Some(count) = envelope.events_since_start {
        body["events_since_subscription_start"] = count.into();
    }
    body.to_string()
}

/// The body of an event as sent: its stored payload with its number.
pub(crate) fn numbered(payload: &str, number: i64) -> String {
    match serde_json::from_str::<serde_json::Value>(payload) {
        Ok(mut body) if body.is_object() => {
            body["event_number"] = number.into();
            body["events_since_subscription_start"] = number.into();
            body.to_string()
        }
        _ => payload.to_owned(),
    }
}

/// Queues each announcement for every active subscription of its organisation that
/// wants its type; the subscriptions of all the organisations are read in one query.
/// The messages are numbered after commit by the numbering pass, oldest committed first.
pub(crate) async fn enqueue(
    txn: &WriteTxn,
    announcements: &[(&str, Announcement<'_>)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if announcements.is_empty() {
        return Ok(());
    }
    // Subscriptions are never deferred writes: no need to send those first.
    let subscriptions = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::Org.is_in(announcements.iter().map(|(org, _)| *org)))
        .filter(webhook_subscription::Column::Status.eq("active"))
        .all(txn.unflushed())
        .await?;
    for subscription in &subscriptions {
        for (_, announcement) in announcements.iter().filter(|(org, a)| {
            subscription.org == *org
                && subscription
                    .event_types
                    .split(',')
                    .any(|t| t == a.event.as_str())
        }) {
            let envelope = Envelope {
                subscription: subscription.id,
                events_since_start: None,
            };
            txn.defer(
                webhook_message::Entity::insert(message(announcement, envelope, now)).into_query(),
            );
        }
    }
    Ok(())
}

/// The pending message of `announcement` for one subscription.
fn message(
    announcement: &Announcement<'_>,
    envelope: Envelope,
    now: DateTime<Utc>,
) -> webhook_message::ActiveModel {
    let url = format!("/v1/{}s/{}", announcement.subject, announcement.subject_id);
    let data = serde_json::json!({
        "subject": announcement.subject,
        "id": announcement.subject_id,
        "change": announcement.change,
        "version": announcement.version,
        "url": url,
    });
    pending(
        MessageId::new_at(now),
        announcement.event,
        announcement.ordering_key,
        payload(announcement.event, data, now, envelope),
        envelope,
        now,
    )
}

/// Inserts one pending message, due now.
pub(crate) async fn insert<C: ConnectionTrait>(
    txn: &C,
    event: EventType,
    ordering_key: Uuid,
    data: serde_json::Value,
    envelope: Envelope,
    now: DateTime<Utc>,
) -> Result<MessageId, StoreError> {
    let id = MessageId::new_at(now);
    let body = payload(event, data, now, envelope);
    webhook_message::Entity::insert(pending(id, event, ordering_key, body, envelope, now))
        .exec_without_returning(txn)
        .await?;
    Ok(id)
}

/// A message due now, not yet tried.
fn pending(
    id: MessageId,
    event: EventType,
    ordering_key: Uuid,
    payload: String,
    envelope: Envelope,
    now: DateTime<Utc>,
) -> webhook_message::ActiveModel {
    webhook_message::ActiveModel {
        id: Set(id.as_uuid()),
        subscription_id: Set(envelope.subscription),
        event_number: Set(None),
        event_type: Set(event.as_str().to_owned()),
        ordering_key: Set(ordering_key),
        payload: Set(payload),
        status: Set("pending".to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        lease_token: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        delivered_at: Set(None),
    }
}
