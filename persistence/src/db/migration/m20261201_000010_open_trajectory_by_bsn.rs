//! One open trajectory per client per provider holds by BSN too: the same person
//! registered under a second client reference is refused, here as in the store.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(
            manager,
            "CREATE UNIQUE INDEX ux_trajectories_open_bsn \
             ON trajectories (treating_provider, bsn_matcher) \
             WHERE phase <> 'closed' AND bsn_matcher IS NOT NULL",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP INDEX ux_trajectories_open_bsn").await
    }
}
