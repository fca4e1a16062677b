//! Numbered notifications and bounded history: each subscription counts its events (the
//! number every event gets after commit, unique per subscription), remembers when it
//! last heard of one (for heartbeats), and each feed remembers how far it was pruned (for
//! the 410 an expired cursor gets).

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let time = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => "TIMESTAMPTZ",
            _ => "TEXT",
        };
        for statement in [
            "ALTER TABLE webhook_subscriptions ADD COLUMN events_since_start BIGINT NOT NULL DEFAULT 0".to_owned(),
            format!("ALTER TABLE webhook_subscriptions ADD COLUMN last_event_at {time}"),
            // Existing subscriptions count as heard from at their last change, so the
            // heartbeat finds them too.
            "UPDATE webhook_subscriptions SET last_event_at = updated_at".to_owned(),
            "ALTER TABLE webhook_messages ADD COLUMN event_number BIGINT".to_owned(),
            // No number twice in one subscription, whatever the writers do; test and
            // heartbeat messages carry none.
            "CREATE UNIQUE INDEX ux_webhook_messages_number ON webhook_messages (subscription_id, event_number)".to_owned(),
            // What the numbering pass looks for: events committed and not yet numbered.
            "CREATE INDEX ix_webhook_messages_unnumbered ON webhook_messages (id) WHERE event_number IS NULL".to_owned(),
            "CREATE INDEX ix_webhook_subscriptions_quiet ON webhook_subscriptions (status, last_event_at)".to_owned(),
            "CREATE TABLE feed_horizons (
                org VARCHAR(64) NOT NULL,
                stream VARCHAR(16) NOT NULL,
                tx_id BIGINT NOT NULL,
                id BIGINT NOT NULL,
                PRIMARY KEY (org, stream)
            )"
            .to_owned(),
        ] {
            sql(manager, &statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in [
            "DROP TABLE feed_horizons",
            "DROP INDEX ix_webhook_subscriptions_quiet",
            "DROP INDEX ix_webhook_messages_unnumbered",
            "DROP INDEX ux_webhook_messages_number",
            "ALTER TABLE webhook_messages DROP COLUMN event_number",
            "ALTER TABLE webhook_subscriptions DROP COLUMN last_event_at",
            "ALTER TABLE webhook_subscriptions DROP COLUMN events_since_start",
        ] {
            sql(manager, statement).await?;
        }
        Ok(())
    }
}
