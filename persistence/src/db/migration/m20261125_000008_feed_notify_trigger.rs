//! PostgreSQL: every feed entry notifies the listeners of its organisation when its
//! transaction commits, from a trigger, so no write can forget to and none pays a round
//! trip for it. SQLite has no cross-process notification; nothing to do there.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        // The channel name is `feed_signal::CHANNEL`.
        sql(
            manager,
            "CREATE OR REPLACE FUNCTION herstelbrug_feed_notify() RETURNS trigger
             LANGUAGE plpgsql AS $$
             BEGIN PERFORM pg_notify('herstelbrug_feed', NEW.org); RETURN NULL; END $$",
        )
        .await?;
        sql(
            manager,
            "CREATE TRIGGER feed_entries_notify AFTER INSERT ON feed_entries
             FOR EACH ROW EXECUTE FUNCTION herstelbrug_feed_notify()",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        sql(manager, "DROP TRIGGER feed_entries_notify ON feed_entries").await?;
        sql(manager, "DROP FUNCTION herstelbrug_feed_notify()").await
    }
}
