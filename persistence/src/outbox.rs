//! The webhook outbox: every feed change that a subscription of the organisation wants
//! becomes a message in the same transaction, so none is lost and none is sent for a
//! change that rolled back. Payloads are thin (ids, type, time, the URL to fetch): no
//! personal data leaves except through the API and its access rules.

use chrono::{DateTime, Utc};
use herstelbrug_domain::{EventType, MessageId};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryTrait as _;
use sea_orm::sea_query::{CaseStatement, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter};
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

/// Where a message stands in its subscription's numbering: an event has its own number;
/// test and heartbeat messages carry the count so far.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Envelope {
    pub subscription: Uuid,
    pub events_since_start: i64,
    pub numbered: bool,
}

impl Envelope {
    fn event_number(self) -> Option<i64> {
        self.numbered.then_some(self.events_since_start)
    }
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
        "events_since_subscription_start": envelope.events_since_start,
        "data": data,
    });
    if let Some(number) = envelope.event_number() {
        body["event_number"] = number.into();
    }
    body.to_string()
}

/// Queues each announcement for every active subscription of its organisation that
/// wants its type, numbering them per subscription. The subscriptions of all the
/// organisations are read in one query and their counters moved in one more (only when
/// one wants something); the counter's row lock orders concurrent writers, so numbers
/// follow commit order without gaps, and a rollback takes its numbers back with it.
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
    let wanted: Vec<(Uuid, Vec<&Announcement<'_>>)> = subscriptions
        .iter()
        .map(|s| {
            let mine = announcements
                .iter()
                .filter(|(org, a)| {
                    s.org == *org && s.event_types.split(',').any(|t| t == a.event.as_str())
                })
                .map(|(_, a)| a)
                .collect::<Vec<_>>();
            (s.id, mine)
        })
        .filter(|(_, mine)| !mine.is_empty())
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let counts = wanted
        .iter()
        .fold(CaseStatement::new(), |case, (id, mine)| {
            case.case(
                webhook_subscription::Column::Id.eq(*id),
                Expr::val(i64::try_from(mine.len()).unwrap_or(i64::MAX)),
            )
        });
    let counted = webhook_subscription::Entity::update_many()
        .col_expr(
            webhook_subscription::Column::EventsSinceStart,
            Expr::col(webhook_subscription::Column::EventsSinceStart)
                .add(counts.finally(Expr::val(0i64))),
        )
        .col_expr(webhook_subscription::Column::LastEventAt, Expr::val(now))
        .filter(webhook_subscription::Column::Id.is_in(wanted.iter().map(|(id, _)| *id)))
        .filter(webhook_subscription::Column::Status.eq("active"))
        .exec_with_returning(txn.unflushed())
        .await?;
    for row in counted {
        let Some((_, mine)) = wanted.iter().find(|(id, _)| *id == row.id) else {
            continue;
        };
        let first = row.events_since_start - i64::try_from(mine.len()).unwrap_or(i64::MAX) + 1;
        for (offset, announcement) in (0i64..).zip(mine.iter()) {
            let envelope = Envelope {
                subscription: row.id,
                events_since_start: first + offset,
                numbered: true,
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
        event_number: Set(envelope.event_number()),
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
