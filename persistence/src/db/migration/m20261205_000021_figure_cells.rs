//! Figures are kept per finest cell (month, municipality, provider, kind, service) so that
//! every answer is a sum of the same rounded cells (`figures::rounding`), whatever its
//! range or grouping. The rollups of the four groupings become rollups of one grouping,
//! `cell`, whose group is `municipality|provider|kind|service`. Rollups from before keep
//! their municipality and provider (read from the provider's rollups by municipality);
//! their kind and service were never kept together with those, so figures from before
//! this version count under no kind and no service.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            sql(
                manager,
                "ALTER TABLE figure_rollups ALTER COLUMN grp TYPE VARCHAR(120)",
            )
            .await?;
        }
        // Each provider's rollups by municipality are the (municipality, provider) cells;
        // every fact counts for everyone's administrator, its provider and municipality.
        for scope in ["'all'", "scope", "grp"] {
            sql(
                manager,
                &format!(
                    "INSERT INTO figure_rollups \
                     (scope, grouping, month, grp, metric, detail, count, histogram) \
                     SELECT {scope}, 'cell', month, grp || '|' || scope || '||', metric, detail, \
                     count, histogram FROM figure_rollups \
                     WHERE grouping = 'municipality' AND scope LIKE 'agb:%'"
                ),
            )
            .await?;
        }
        sql(
            manager,
            "DELETE FROM figure_rollups WHERE grouping <> 'cell'",
        )
        .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "figure cells cannot be split back into the four groupings".to_owned(),
        ))
    }
}
