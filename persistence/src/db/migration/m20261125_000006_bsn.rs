//! A trajectory may carry the client's BSN: only as a keyed hash (to match a client across
//! providers) and encrypted, never as the number.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(
            manager,
            "ALTER TABLE trajectories ADD COLUMN bsn_matcher VARCHAR(64)",
        )
        .await?;
        sql(
            manager,
            "ALTER TABLE trajectories ADD COLUMN bsn_sealed VARCHAR(200)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_trajectories_bsn ON trajectories (bsn_matcher)",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP INDEX ix_trajectories_bsn").await?;
        sql(manager, "ALTER TABLE trajectories DROP COLUMN bsn_sealed").await?;
        sql(manager, "ALTER TABLE trajectories DROP COLUMN bsn_matcher").await
    }
}
