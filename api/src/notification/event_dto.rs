//! Bodies of the numbered-notification endpoints: a subscription's status and the
//! events of a range, for a receiver that detected a gap.

use chrono::{DateTime, Utc};
use herstelbrug_domain::notification::{DeliveryState, delivery_state};
use herstelbrug_persistence::{EventPage, NumberedEvent, SubscriptionStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::dto::schema;

/// Where a subscription stands: its last event number, and how deliveries go.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionStatusView {
    pub subscription_id: Uuid,
    /// `active`, or `disabled` when the endpoint answered 410 Gone.
    #[schema(example = "active")]
    pub status: String,
    /// The number of its last event (0: none yet); events are numbered moments after
    /// commit, before they are sent. Every event carries its number as `event_number`:
    /// a receiver that got 21 and then 23 missed 22.
    pub events_since_subscription_start: u64,
    /// When it last got an event or a heartbeat.
    pub last_event_at: Option<DateTime<Utc>>,
    #[schema(schema_with = schema::delivery_state)]
    pub delivery_state: DeliveryState,
    /// Messages waiting for their first or a later attempt.
    pub pending: u64,
    /// Pending messages that failed at least once.
    pub retrying: u64,
    /// Dead letters, replayable with `POST …/deliveries/{did}/replay`.
    pub dead: u64,
    pub last_delivered_event_number: Option<u64>,
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// The last failed attempt's error (or the receiver's status code), if any.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

impl From<&SubscriptionStatus> for SubscriptionStatusView {
    fn from(s: &SubscriptionStatus) -> Self {
        Self {
            subscription_id: s.subscription.id.as_uuid(),
            status: s.subscription.status.clone(),
            events_since_subscription_start: s.subscription.events_since_start,
            last_event_at: s.subscription.last_event_at,
            delivery_state: delivery_state(s.counts),
            pending: s.pending,
            retrying: s.counts.failing,
            dead: s.counts.dead,
            last_delivered_event_number: s.last_delivered_event,
            last_delivered_at: s.last_delivered_at,
            last_error: s.last_error.clone(),
            last_error_at: s.last_error_at,
        }
    }
}

/// Which events to read again.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventRangeParams {
    /// The last event number the caller has: the range starts after it.
    #[param(minimum = 0)]
    pub since: i64,
    /// The last event number wanted (default: the latest); greater than `since`.
    #[param(minimum = 1)]
    pub until: Option<i64>,
    /// At most this many events (1-500, default 100); `next_since` continues.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u16>,
}

/// One event as it was sent (or will be).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NumberedEventView {
    pub event_number: u64,
    #[schema(example = "referral.updated")]
    pub event_type: String,
    pub created_at: DateTime<Utc>,
    /// The exact JSON body delivered (or to be delivered), parsed.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// `pending`, `delivered` or `dead`.
    #[schema(example = "delivered")]
    pub delivery_status: String,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<&NumberedEvent> for NumberedEventView {
    fn from(e: &NumberedEvent) -> Self {
        Self {
            event_number: e.number,
            event_type: e.event_type.clone(),
            created_at: e.created_at,
            payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
            delivery_status: e.status.clone(),
            delivered_at: e.delivered_at,
        }
    }
}

/// The events of a range, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NumberedEventList {
    pub items: Vec<NumberedEventView>,
    /// Set when more of the range follows: ask again with this as `since`.
    pub next_since: Option<u64>,
}

impl From<&EventPage> for NumberedEventList {
    fn from(page: &EventPage) -> Self {
        Self {
            items: page.items.iter().map(NumberedEventView::from).collect(),
            next_since: page.next_since,
        }
    }
}
