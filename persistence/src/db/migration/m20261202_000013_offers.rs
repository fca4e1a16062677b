//! Routing: offers (one request to several candidates, each candidate a referral in the
//! group), coded rejection reasons, and alerts a client's municipality also receives.

use sea_orm_migration::prelude::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (uuid, time, boolean) = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => ("UUID", "TIMESTAMPTZ", "BOOLEAN"),
            _ => ("BLOB", "TEXT", "BOOLEAN"),
        };
        sql(
            manager,
            &format!(
                "CREATE TABLE offers (
                    id {uuid} PRIMARY KEY,
                    trajectory_id {uuid} NOT NULL REFERENCES trajectories (id),
                    requester VARCHAR(32) NOT NULL,
                    kind VARCHAR(40) NOT NULL,
                    status VARCHAR(16) NOT NULL,
                    selected_referral {uuid},
                    expires_at {time} NOT NULL,
                    created_at {time} NOT NULL,
                    updated_at {time} NOT NULL,
                    version INTEGER NOT NULL
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_offers_trajectory ON offers (trajectory_id, id)",
        )
        .await?;
        sql(
            manager,
            &format!("ALTER TABLE referrals ADD COLUMN offer_id {uuid}"),
        )
        .await?;
        sql(
            manager,
            "ALTER TABLE referrals ADD COLUMN rejection_reason VARCHAR(24)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_referrals_offer ON referrals (offer_id) WHERE offer_id IS NOT NULL",
        )
        .await?;
        sql(
            manager,
            &format!(
                "ALTER TABLE alerts ADD COLUMN informs_municipality {boolean} NOT NULL DEFAULT FALSE"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_alerts_municipality ON alerts (municipality, id) \
             WHERE informs_municipality",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP INDEX ix_alerts_municipality").await?;
        sql(
            manager,
            "ALTER TABLE alerts DROP COLUMN informs_municipality",
        )
        .await?;
        sql(manager, "DROP INDEX ix_referrals_offer").await?;
        sql(
            manager,
            "ALTER TABLE referrals DROP COLUMN rejection_reason",
        )
        .await?;
        sql(manager, "ALTER TABLE referrals DROP COLUMN offer_id").await?;
        sql(manager, "DROP TABLE offers").await
    }
}
