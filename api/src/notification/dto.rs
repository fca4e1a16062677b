//! Bodies of the webhook subscription endpoints.

use chrono::{DateTime, Utc};
use herstelbrug_domain::EventType;
use herstelbrug_persistence::{Attempt, Subscription};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::schema;

/// Subscribes an endpoint to events of the caller's organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSubscriptionRequest {
    /// An https URL on the public internet (no loopback, private, link-local or metadata addresses).
    #[schema(
        max_length = 2048,
        example = "https://ehr.example.nl/herstelbrug/webhooks"
    )]
    pub url: String,
    #[schema(schema_with = schema::event_types)]
    pub event_types: Vec<EventType>,
}

/// A subscription. Its secret is shown only when created and when rotated.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionView {
    pub id: Uuid,
    pub url: String,
    #[schema(schema_with = schema::event_types)]
    pub event_types: Vec<EventType>,
    /// `active`, or `disabled` when the endpoint answered 410 Gone.
    #[schema(example = "active")]
    pub status: String,
    pub disabled_reason: Option<String>,
    /// Until then the previous secret also signs (after a rotation).
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Subscription> for SubscriptionView {
    fn from(s: &Subscription) -> Self {
        Self {
            id: s.id.as_uuid(),
            url: s.url.clone(),
            event_types: s.event_types.clone(),
            status: s.status.clone(),
            disabled_reason: s.disabled_reason.clone(),
            previous_secret_valid_until: s.previous_secret_until,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A subscription with its signing secret: store it now, it is not shown again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionWithSecret {
    #[serde(flatten)]
    pub subscription: SubscriptionView,
    /// `whsec_` and the base64 key; verify deliveries with any Standard Webhooks library.
    pub secret: String,
}

/// A subscription list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscriptionList {
    pub items: Vec<SubscriptionView>,
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptView {
    pub id: Uuid,
    /// The message's id, the `webhook-id` header (`msg_` and the id without dashes).
    pub message_id: Uuid,
    pub webhook_id: String,
    pub event_type: String,
    pub attempt: u32,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
    /// `delivered`, `retry`, `dead` or `disabled`.
    pub outcome: String,
    /// The message now: `pending`, `delivered`, or `dead` (replayable).
    pub message_status: String,
}

impl From<&Attempt> for AttemptView {
    fn from(a: &Attempt) -> Self {
        Self {
            id: a.id,
            message_id: a.message_id.as_uuid(),
            webhook_id: format!("msg_{}", a.message_id.as_uuid().simple()),
            event_type: a.event_type.clone(),
            attempt: a.attempt,
            attempted_at: a.attempted_at,
            status_code: a.status_code,
            error: a.error.clone(),
            duration_ms: a.duration_ms,
            outcome: a.outcome.clone(),
            message_status: a.message_status.clone(),
        }
    }
}

/// Recent delivery attempts, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptList {
    pub items: Vec<AttemptView>,
}

/// A queued test message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuedMessage {
    pub message_id: Uuid,
    pub webhook_id: String,
}
