//! Retention and erasure: per trajectory, a legal hold (which stops both) and when its
//! personal details were removed; the indexes the retention job walks.

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
        sql(
            manager,
            &format!(
                "CREATE TABLE trajectory_retention (
                    trajectory_id {uuid} PRIMARY KEY REFERENCES trajectories (id),
                    hold_reason VARCHAR(500),
                    held_at {time},
                    held_by VARCHAR(255),
                    erased_at {time},
                    erased_by VARCHAR(255)
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_trajectories_closed ON trajectories (phase_since, id) WHERE phase = 'closed'",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP INDEX ix_trajectories_closed").await?;
        sql(manager, "DROP TABLE trajectory_retention").await
    }
}
