//! The access log's lookup indexes (by client reference, trajectory, referral) hold only
//! the entries that name one: most entries name one of the three at most, and every
//! entry used to write all three (a read wrote 7 index entries, now 5). Queries by any
//! of them imply the column is not null, so both databases still use these indexes.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

const LOOKUPS: [(&str, &str); 3] = [
    ("ix_access_log_client", "client_ref"),
    ("ix_access_log_trajectory", "trajectory_id"),
    ("ix_access_log_referral", "referral_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (index, column) in LOOKUPS {
            sql(manager, &format!("DROP INDEX {index}")).await?;
            sql(
                manager,
                &format!(
                    "CREATE INDEX {index} ON access_log ({column}, id) WHERE {column} IS NOT NULL"
                ),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (index, column) in LOOKUPS {
            sql(manager, &format!("DROP INDEX {index}")).await?;
            sql(
                manager,
                &format!("CREATE INDEX {index} ON access_log ({column}, id)"),
            )
            .await?;
        }
        Ok(())
    }
}
