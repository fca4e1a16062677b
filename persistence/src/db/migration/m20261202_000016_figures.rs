//! Continuity figures kept as they happen: the facts each trajectory contributes now, the
//! counts added by each change (append-only, so concurrent writers never wait on one
//! counter row) and the rollups they are folded into: one row per reader's scope,
//! grouping, group, month and figure, durations as a histogram in the row, so a year's
//! figures read a few thousand rows whatever the number of trajectories.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The dimensions every figure row has, in key order.
const DIMENSIONS: &str = "month INTEGER NOT NULL,
    provider VARCHAR(16) NOT NULL,
    municipality VARCHAR(16) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    service VARCHAR(36) NOT NULL,
    metric VARCHAR(32) NOT NULL,
    detail VARCHAR(48) NOT NULL,
    days INTEGER NOT NULL,
    count BIGINT NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (uuid, serial) = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                ("UUID", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
            }
            _ => ("BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        };
        sql(
            manager,
            &format!(
                "CREATE TABLE figure_contributions (
                    trajectory_id {uuid} PRIMARY KEY REFERENCES trajectories (id),
                    facts TEXT NOT NULL
                )"
            ),
        )
        .await?;
        sql(
            manager,
            &format!("CREATE TABLE figure_deltas (id {serial}, {DIMENSIONS})"),
        )
        .await?;
        sql(
            manager,
            "CREATE TABLE figure_rollups (
                scope VARCHAR(24) NOT NULL,
                grouping VARCHAR(16) NOT NULL,
                month INTEGER NOT NULL,
                grp VARCHAR(40) NOT NULL,
                metric VARCHAR(32) NOT NULL,
                detail VARCHAR(48) NOT NULL,
                count BIGINT NOT NULL,
                histogram TEXT,
                PRIMARY KEY (scope, grouping, month, grp, metric, detail)
            )",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP TABLE figure_rollups").await?;
        sql(manager, "DROP TABLE figure_deltas").await?;
        sql(manager, "DROP TABLE figure_contributions").await
    }
}
