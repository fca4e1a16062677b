//! Row of `webhook_subscriptions`: an organisation's endpoint and the events it wants.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org: String,
    pub url: String,
    /// Comma-separated event type names.
    pub event_types: String,
    /// `whsec_` and the base64 key; it signs every delivery.
    pub secret: String,
    /// After a rotation, the old secret also signs until `previous_secret_until`.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTimeUtc>,
    /// `active`, `disabled` (the receiver answered 410) or `deleted`.
    pub status: String,
    pub disabled_reason: Option<String>,
    /// How many events the subscription has been sent: the last event's number.
    pub events_since_start: i64,
    /// When it last got an event or a heartbeat; heartbeats go to quiet subscriptions.
    pub last_event_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
