//! Schema migrations, applied in order at start-up and by `herstelbrug migrate`.

use sea_orm_migration::prelude::*;

mod m20261125_000001_trajectories;
mod m20261125_000002_referrals;
mod m20261125_000003_alerts;
mod m20261125_000004_webhooks;
mod m20261125_000005_access_log;
mod m20261125_000006_bsn;
mod m20261125_000007_access_log_seals;
mod m20261125_000008_feed_notify_trigger;
mod m20261201_000009_access_log_disclosures;
mod m20261201_000010_open_trajectory_by_bsn;
mod m20261201_000011_catalog;
mod m20261202_000012_organisations;
mod m20261202_000013_offers;
mod m20261202_000014_team;
mod m20261202_000015_aftercare;
mod m20261202_000016_figures;
mod m20261202_000017_identifiers;
mod m20261203_000018_notifications;
mod m20261203_000019_access_log_partial_indexes;
mod m20261203_000020_feed_notify_after_commit;
mod m20261205_000021_figure_cells;
mod m20261205_000022_life_domains;
mod m20261206_000023_person;
mod m20261206_000024_audit_checkpoints;
mod m20261206_000025_retention;

/// Runs one SQL statement written by hand (partial indexes, backend-specific tables).
pub(super) async fn sql(manager: &SchemaManager<'_>, statement: &str) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(statement)
        .await
        .map(|_| ())
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_trajectories::Migration),
            Box::new(m20261125_000002_referrals::Migration),
            Box::new(m20261125_000003_alerts::Migration),
            Box::new(m20261125_000004_webhooks::Migration),
            Box::new(m20261125_000005_access_log::Migration),
            Box::new(m20261125_000006_bsn::Migration),
            Box::new(m20261125_000007_access_log_seals::Migration),
            Box::new(m20261125_000008_feed_notify_trigger::Migration),
            Box::new(m20261201_000009_access_log_disclosures::Migration),
            Box::new(m20261201_000010_open_trajectory_by_bsn::Migration),
            Box::new(m20261201_000011_catalog::Migration),
            Box::new(m20261202_000012_organisations::Migration),
            Box::new(m20261202_000013_offers::Migration),
            Box::new(m20261202_000014_team::Migration),
            Box::new(m20261202_000015_aftercare::Migration),
            Box::new(m20261202_000016_figures::Migration),
            Box::new(m20261202_000017_identifiers::Migration),
            Box::new(m20261203_000018_notifications::Migration),
            Box::new(m20261203_000019_access_log_partial_indexes::Migration),
            Box::new(m20261203_000020_feed_notify_after_commit::Migration),
            Box::new(m20261205_000021_figure_cells::Migration),
            Box::new(m20261205_000022_life_domains::Migration),
            Box::new(m20261206_000023_person::Migration),
            Box::new(m20261206_000024_audit_checkpoints::Migration),
            Box::new(m20261206_000025_retention::Migration),
        ]
    }
}
