//! External identifiers: the ids other systems give trajectories, referrals and services,
//! each kept by the organisation that set it and unique per system within it.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (uuid, time) = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => ("UUID", "TIMESTAMPTZ"),
            _ => ("BLOB", "TEXT"),
        };
        // The key is the lookup (`?identifier=system|value` within the caller's
        // organisation) and the uniqueness rule in one index.
        sql(
            manager,
            &format!(
                "CREATE TABLE external_identifiers (
                    owner_org VARCHAR(32) NOT NULL,
                    kind VARCHAR(16) NOT NULL,
                    system VARCHAR(255) NOT NULL,
                    value VARCHAR(512) NOT NULL,
                    resource_id {uuid} NOT NULL,
                    created_at {time} NOT NULL,
                    PRIMARY KEY (owner_org, kind, system, value)
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX external_identifiers_of_resource
                ON external_identifiers (resource_id, owner_org)",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP TABLE external_identifiers").await
    }
}
