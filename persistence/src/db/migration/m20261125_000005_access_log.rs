//! The NEN 7513 access log: append-only, each entry chained to the previous by a SHA-256 hash.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (id, uuid, time) = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => (
                "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                "UUID",
                "TIMESTAMPTZ",
            ),
            _ => ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB", "TEXT"),
        };
        sql(
            manager,
            &format!(
                "CREATE TABLE access_log (
                    id {id},
                    recorded_at {time} NOT NULL,
                    event VARCHAR(120) NOT NULL,
                    action CHAR(1) NOT NULL,
                    outcome VARCHAR(16) NOT NULL,
                    status INTEGER NOT NULL,
                    client_ref VARCHAR(64),
                    trajectory_id {uuid},
                    referral_id {uuid},
                    subject VARCHAR(255),
                    role VARCHAR(100),
                    org VARCHAR(16),
                    address VARCHAR(64),
                    request_id VARCHAR(64),
                    purpose VARCHAR(100) NOT NULL,
                    prev_hash CHAR(64) NOT NULL,
                    hash CHAR(64) NOT NULL
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_access_log_trajectory ON access_log (trajectory_id, id)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_access_log_referral ON access_log (referral_id, id)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_access_log_client ON access_log (client_ref, id)",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP TABLE access_log").await
    }
}
