//! Continuity figures kept as they happen: the facts each trajectory contributes now, the
//! counts added by each change (append-only, so concurrent writers never wait on one
//! counter row) and the rolled-up counts they are folded into.

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
            &format!(
                "CREATE TABLE figure_cells ({DIMENSIONS},
                    PRIMARY KEY (month, provider, municipality, kind, service, metric, detail, days))"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_figure_cells_provider ON figure_cells (provider, month)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_figure_cells_municipality ON figure_cells (municipality, month)",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP TABLE figure_cells").await?;
        sql(manager, "DROP TABLE figure_deltas").await?;
        sql(manager, "DROP TABLE figure_contributions").await
    }
}
