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

use crate::entity::{webhook_message, webhook_subscription};
use crate::error::StoreError;
use crate::write_txn::WriteTxn;

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

pub(crate) fn payload(event: EventType, data: serde_json::Value, now: DateTime<Utc>) -> String {
    serde_json::json!({
        "type": event.as_str(),
        "timestamp": now.to_rfc3339(),
        "data": data,
    })
    .to_string()
}

/// Queues each announcement for every active subscription of its organisation that
/// wants its type; the subscriptions of all the organisations are read in one query.
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
    for (org, announcement) in announcements {
        enqueue_for(txn, &subscriptions, org, announcement, now);
    }
    Ok(())
}

/// Queues `announcement` for `org`'s subscriptions among `subscriptions` that want it.
fn enqueue_for(
    txn: &WriteTxn,
    subscriptions: &[webhook_subscription::Model],
    org: &str,
    announcement: &Announcement<'_>,
    now: DateTime<Utc>,
) {
    let wanted = announcement.event.as_str();
    for subscription in subscriptions
        .iter()
        .filter(|s| s.org == org && s.event_types.split(',').any(|t| t == wanted))
    {
        let url = format!("/v1/{}s/{}", announcement.subject, announcement.subject_id);
        let data = serde_json::json!({
            "subject": announcement.subject,
            "id": announcement.subject_id,
            "change": announcement.change,
            "version": announcement.version,
            "url": url,
        });
        txn.defer(
            webhook_message::Entity::insert(pending(
                MessageId::new_at(now),
                subscription.id,
                announcement.event,
                announcement.ordering_key,
                payload(announcement.event, data, now),
                now,
            ))
            .into_query(),
        );
    }
}

/// Inserts one pending message, due now.
pub(crate) async fn insert<C: ConnectionTrait>(
    txn: &C,
    subscription: Uuid,
    event: EventType,
    ordering_key: Uuid,
    payload: String,
    now: DateTime<Utc>,
) -> Result<MessageId, StoreError> {
    let id = MessageId::new_at(now);
    webhook_message::Entity::insert(pending(id, subscription, event, ordering_key, payload, now))
        .exec_without_returning(txn)
        .await?;
    Ok(id)
}

/// A message due now, not yet tried.
fn pending(
    id: MessageId,
    subscription: Uuid,
    event: EventType,
    ordering_key: Uuid,
    payload: String,
    now: DateTime<Utc>,
) -> webhook_message::ActiveModel {
    webhook_message::ActiveModel {
        id: Set(id.as_uuid()),
        subscription_id: Set(subscription),
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
