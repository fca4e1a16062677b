//! The access log becomes insert-only rows written inside each request's own transaction,
//! chained afterwards by a sealer into `access_log_seal`; triggers refuse UPDATE and DELETE.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;
        // Entries get their position from the writing transaction (as feed entries do), so
        // the sealer only chains entries no running transaction can still precede.
        let (tx_column, seal_id) = if postgres {
            (
                "BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint)",
                "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            )
        } else {
            (
                "INTEGER NOT NULL DEFAULT 0",
                "INTEGER PRIMARY KEY AUTOINCREMENT",
            )
        };
        sql(
            manager,
            &format!("ALTER TABLE access_log ADD COLUMN tx_id {tx_column}"),
        )
        .await?;
        sql(
            manager,
            &format!(
                "CREATE TABLE access_log_seal (
                    seq {seal_id},
                    entry_id BIGINT NOT NULL UNIQUE,
                    entry_tx BIGINT NOT NULL,
                    prev_hash CHAR(64) NOT NULL,
                    hash CHAR(64) NOT NULL
                )"
            ),
        )
        .await?;
        // The chain so far moves over unchanged: same order, same hashes.
        sql(
            manager,
            "INSERT INTO access_log_seal (entry_id, entry_tx, prev_hash, hash)
             SELECT id, tx_id, prev_hash, hash FROM access_log ORDER BY id",
        )
        .await?;
        sql(manager, "ALTER TABLE access_log DROP COLUMN prev_hash").await?;
        sql(manager, "ALTER TABLE access_log DROP COLUMN hash").await?;
        sql(
            manager,
            "CREATE INDEX ix_access_log_position ON access_log (tx_id, id)",
        )
        .await?;
        if postgres {
            sql(
                manager,
                "CREATE OR REPLACE FUNCTION herstelbrug_append_only() RETURNS trigger
                 LANGUAGE plpgsql AS $$
                 BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
            )
            .await?;
            for table in ["access_log", "access_log_seal"] {
                sql(
                    manager,
                    &format!(
                        "CREATE TRIGGER {table}_append_only
                         BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
                         FOR EACH STATEMENT EXECUTE FUNCTION herstelbrug_append_only()"
                    ),
                )
                .await?;
            }
        } else {
            for table in ["access_log", "access_log_seal"] {
                for verb in ["UPDATE", "DELETE"] {
                    sql(
                        manager,
                        &format!(
                            "CREATE TRIGGER {table}_no_{} BEFORE {verb} ON {table}
                             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
                            verb.to_lowercase()
                        ),
                    )
                    .await?;
                }
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
