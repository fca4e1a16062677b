//! The building-block catalog: services with their details, the municipalities they serve
//! (indexed for search by municipality and kind), their capacity, every change in their
//! own history, and the service a referral was sent to (for measured waiting times).

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
                "CREATE TABLE services (
                    id {uuid} PRIMARY KEY,
                    owner VARCHAR(32) NOT NULL,
                    kind VARCHAR(40) NOT NULL,
                    status VARCHAR(24) NOT NULL,
                    name VARCHAR(200) NOT NULL,
                    details TEXT NOT NULL,
                    minimum_age INTEGER,
                    maximum_age INTEGER,
                    stated_wait_days INTEGER,
                    capacity_unit VARCHAR(16),
                    capacity_available INTEGER,
                    capacity_maximum INTEGER,
                    availability VARCHAR(12),
                    capacity_updated_at {time},
                    version INTEGER NOT NULL,
                    created_at {time} NOT NULL,
                    updated_at {time} NOT NULL
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_services_owner ON services (owner, id)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_services_updated ON services (updated_at, id)",
        )
        .await?;
        sql(
            manager,
            &format!(
                "CREATE TABLE service_areas (
                    gemeente CHAR(4) NOT NULL,
                    kind VARCHAR(40) NOT NULL,
                    service_id {uuid} NOT NULL REFERENCES services (id),
                    PRIMARY KEY (gemeente, kind, service_id)
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_service_areas_service ON service_areas (service_id)",
        )
        .await?;
        sql(
            manager,
            &format!(
                "CREATE TABLE service_events (
                    service_id {uuid} NOT NULL REFERENCES services (id),
                    sequence INTEGER NOT NULL,
                    change VARCHAR(32) NOT NULL,
                    detail TEXT NOT NULL,
                    subject VARCHAR(255) NOT NULL,
                    org VARCHAR(32) NOT NULL,
                    recorded_at {time} NOT NULL,
                    PRIMARY KEY (service_id, sequence)
                )"
            ),
        )
        .await?;
        sql(
            manager,
            &format!("ALTER TABLE referrals ADD COLUMN service_id {uuid}"),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_referrals_service ON referrals (service_id, requested_at) \
             WHERE service_id IS NOT NULL",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP INDEX ix_referrals_service").await?;
        sql(manager, "ALTER TABLE referrals DROP COLUMN service_id").await?;
        sql(manager, "DROP TABLE service_events").await?;
        sql(manager, "DROP TABLE service_areas").await?;
        sql(manager, "DROP TABLE services").await
    }
}
