//! After closure: recorded outcome checks, and the link from a re-entry to the trajectory
//! it follows (with whether it is a re-admission within 90 days of that closure).

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (uuid, time, date) = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => ("UUID", "TIMESTAMPTZ", "DATE"),
            _ => ("BLOB", "TEXT", "TEXT"),
        };
        sql(
            manager,
            &format!(
                "CREATE TABLE outcome_checks (
                    trajectory_id {uuid} NOT NULL REFERENCES trajectories (id),
                    after_days INTEGER NOT NULL,
                    outcome VARCHAR(32) NOT NULL,
                    checked_on {date} NOT NULL,
                    recorded_by VARCHAR(255) NOT NULL,
                    recorded_by_org VARCHAR(32) NOT NULL,
                    recorded_at {time} NOT NULL,
                    PRIMARY KEY (trajectory_id, after_days)
                )"
            ),
        )
        .await?;
        sql(
            manager,
            &format!("ALTER TABLE trajectories ADD COLUMN previous_trajectory_id {uuid}"),
        )
        .await?;
        sql(
            manager,
            "ALTER TABLE trajectories ADD COLUMN readmission BOOLEAN NOT NULL DEFAULT FALSE",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "ALTER TABLE trajectories DROP COLUMN readmission").await?;
        sql(
            manager,
            "ALTER TABLE trajectories DROP COLUMN previous_trajectory_id",
        )
        .await?;
        sql(manager, "DROP TABLE outcome_checks").await
    }
}
