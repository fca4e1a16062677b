//! Webhook subscriptions, the transactional outbox of messages to deliver, and every
//! delivery attempt.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (uuid, time, text) = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => ("UUID", "TIMESTAMPTZ", "TEXT"),
            _ => ("BLOB", "TEXT", "TEXT"),
        };
        sql(
            manager,
            &format!(
                "CREATE TABLE webhook_subscriptions (
                    id {uuid} PRIMARY KEY,
                    org VARCHAR(16) NOT NULL,
                    url VARCHAR(2048) NOT NULL,
                    event_types {text} NOT NULL,
                    secret VARCHAR(100) NOT NULL,
                    previous_secret VARCHAR(100),
                    previous_secret_until {time},
                    status VARCHAR(16) NOT NULL,
                    disabled_reason VARCHAR(200),
                    created_at {time} NOT NULL,
                    updated_at {time} NOT NULL
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_webhook_subscriptions_org ON webhook_subscriptions (org, status)",
        )
        .await?;
        sql(
            manager,
            &format!(
                "CREATE TABLE webhook_messages (
                    id {uuid} PRIMARY KEY,
                    subscription_id {uuid} NOT NULL REFERENCES webhook_subscriptions (id),
                    event_type VARCHAR(40) NOT NULL,
                    ordering_key {uuid} NOT NULL,
                    payload {text} NOT NULL,
                    status VARCHAR(16) NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at {time} NOT NULL,
                    lease_until {time},
                    lease_token {uuid},
                    last_error VARCHAR(500),
                    created_at {time} NOT NULL,
                    delivered_at {time}
                )"
            ),
        )
        .await?;
        // The dispatcher reads only due pending messages; ordering looks at a key's earlier ones.
        sql(
            manager,
            "CREATE INDEX ix_webhook_messages_due ON webhook_messages (status, next_attempt_at)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_webhook_messages_order ON webhook_messages (subscription_id, ordering_key, status, id)",
        )
        .await?;
        sql(
            manager,
            &format!(
                "CREATE TABLE webhook_attempts (
                    id {uuid} PRIMARY KEY,
                    message_id {uuid} NOT NULL REFERENCES webhook_messages (id),
                    subscription_id {uuid} NOT NULL,
                    attempt INTEGER NOT NULL,
                    attempted_at {time} NOT NULL,
                    status_code INTEGER,
                    error VARCHAR(500),
                    duration_ms BIGINT NOT NULL,
                    outcome VARCHAR(16) NOT NULL
                )"
            ),
        )
        .await?;
        sql(manager, "CREATE INDEX ix_webhook_attempts_subscription ON webhook_attempts (subscription_id, id)").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "webhook_attempts",
            "webhook_messages",
            "webhook_subscriptions",
        ] {
            sql(manager, &format!("DROP TABLE {table}")).await?;
        }
        Ok(())
    }
}
