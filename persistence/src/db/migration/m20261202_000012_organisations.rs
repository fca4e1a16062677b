//! The registry of informal organisations (self-help groups, peer-expert collectives,
//! which have no AGB code) and the index that reads a recipient's measured waiting times.

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
        sql(
            manager,
            &format!(
                "CREATE TABLE informal_organisations (
                    number INTEGER PRIMARY KEY,
                    name VARCHAR(200) NOT NULL,
                    registered_by VARCHAR(255) NOT NULL,
                    registered_at {time} NOT NULL
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_referrals_recipient_requested ON referrals (recipient, requested_at)",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP INDEX ix_referrals_recipient_requested").await?;
        sql(manager, "DROP TABLE informal_organisations").await
    }
}
