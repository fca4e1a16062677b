//! An access-log entry names every trajectory a response disclosed (a feed page, a list),
//! and the database indexes those names per trajectory in `access_log_disclosure`, so the
//! client's access report finds a page of 100 items through one entry written in one
//! statement.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;
        // A JSON array of trajectory ids (text), covered by the entry's hash.
        sql(manager, "ALTER TABLE access_log ADD COLUMN disclosed TEXT").await?;
        // Text ids on both backends: the trigger below fills it from the JSON array.
        sql(
            manager,
            "CREATE TABLE access_log_disclosure (
                trajectory_id VARCHAR(36) NOT NULL,
                entry_id BIGINT NOT NULL,
                PRIMARY KEY (trajectory_id, entry_id)
            )",
        )
        .await?;
        if postgres {
            sql(
                manager,
                "CREATE OR REPLACE FUNCTION herstelbrug_index_disclosure() RETURNS trigger
                 LANGUAGE plpgsql AS $$
                 BEGIN
                   INSERT INTO access_log_disclosure (trajectory_id, entry_id)
                   SELECT DISTINCT t, NEW.id FROM jsonb_array_elements_text(NEW.disclosed::jsonb) AS t;
                   RETURN NULL;
                 END $$",
            )
            .await?;
            sql(
                manager,
                "CREATE TRIGGER access_log_disclosure_index AFTER INSERT ON access_log
                 FOR EACH ROW WHEN (NEW.disclosed IS NOT NULL)
                 EXECUTE FUNCTION herstelbrug_index_disclosure()",
            )
            .await?;
            sql(
                manager,
                "CREATE TRIGGER access_log_disclosure_append_only
                 BEFORE UPDATE OR DELETE OR TRUNCATE ON access_log_disclosure
                 FOR EACH STATEMENT EXECUTE FUNCTION herstelbrug_append_only()",
            )
            .await?;
        } else {
            sql(
                manager,
                "CREATE TRIGGER access_log_disclosure_index AFTER INSERT ON access_log
                 WHEN NEW.disclosed IS NOT NULL
                 BEGIN
                   INSERT OR IGNORE INTO access_log_disclosure (trajectory_id, entry_id)
                   SELECT value, NEW.id FROM json_each(NEW.disclosed);
                 END",
            )
            .await?;
            for verb in ["UPDATE", "DELETE"] {
                sql(
                    manager,
                    &format!(
                        "CREATE TRIGGER access_log_disclosure_no_{} BEFORE {verb}
                         ON access_log_disclosure
                         BEGIN SELECT RAISE(ABORT, 'access_log_disclosure is append-only'); END",
                        verb.to_lowercase()
                    ),
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the access log is kept for at least five years; this migration is not reversed"
                .to_owned(),
        ))
    }
}
