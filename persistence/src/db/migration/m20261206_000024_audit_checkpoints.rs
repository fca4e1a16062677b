//! Signed checkpoints of the access log's chain (append-only like the log itself), and
//! the index an organisation's own log pages through.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;
        let time = if postgres { "TIMESTAMPTZ" } else { "TEXT" };
        sql(
            manager,
            &format!(
                "CREATE TABLE access_log_checkpoints (
                    number BIGINT PRIMARY KEY,
                    entries BIGINT NOT NULL,
                    head VARCHAR(64) NOT NULL,
                    at {time} NOT NULL,
                    body TEXT NOT NULL
                )"
            ),
        )
        .await?;
        if postgres {
            sql(
                manager,
                "CREATE TRIGGER access_log_checkpoints_append_only
                 BEFORE UPDATE OR DELETE OR TRUNCATE ON access_log_checkpoints
                 FOR EACH STATEMENT EXECUTE FUNCTION herstelbrug_append_only()",
            )
            .await?;
        } else {
            for verb in ["UPDATE", "DELETE"] {
                sql(
                    manager,
                    &format!(
                        "CREATE TRIGGER access_log_checkpoints_no_{} BEFORE {verb}
                         ON access_log_checkpoints
                         BEGIN SELECT RAISE(ABORT, 'access_log_checkpoints is append-only'); END",
                        verb.to_lowercase()
                    ),
                )
                .await?;
            }
        }
        sql(
            manager,
            "CREATE INDEX ix_access_log_org ON access_log (org, id) WHERE org IS NOT NULL",
        )
        .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "checkpoints are kept with the access log; this migration is not reversed".to_owned(),
        ))
    }
}
