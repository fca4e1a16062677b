//! Alerts and the durable timers that re-check a trajectory's rules when a deadline falls.

use sea_orm_migration::prelude::*;

use super::sql;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    Rule,
    Severity,
    TrajectoryId,
    ReferralId,
    SubjectId,
    TreatingProvider,
    Recipient,
    Municipality,
    Status,
    Facts,
    OpenedAt,
    AcknowledgedAt,
    AcknowledgedBy,
    AcknowledgedByOrg,
    EscalatedAt,
    ResolvedAt,
    ResolutionKind,
    ResolutionText,
    ResolvedBy,
    ResolvedByOrg,
    Suppressing,
    Version,
}

#[derive(DeriveIden)]
enum Timers {
    Table,
    TrajectoryId,
    DueAt,
    LeaseUntil,
    LeaseToken,
}

#[derive(DeriveIden)]
enum Trajectories {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alerts::Table)
                    .col(uuid(Alerts::Id).primary_key())
                    .col(string_len(Alerts::Rule, 48))
                    .col(string_len(Alerts::Severity, 16))
                    .col(uuid(Alerts::TrajectoryId))
                    .col(uuid_null(Alerts::ReferralId))
                    .col(uuid(Alerts::SubjectId))
                    .col(string_len(Alerts::TreatingProvider, 16))
                    .col(string_len_null(Alerts::Recipient, 16))
                    .col(string_len(Alerts::Municipality, 16))
                    .col(string_len(Alerts::Status, 16))
                    .col(json(Alerts::Facts))
                    .col(timestamp_with_time_zone(Alerts::OpenedAt))
                    .col(timestamp_with_time_zone_null(Alerts::AcknowledgedAt))
                    .col(string_len_null(Alerts::AcknowledgedBy, 255))
                    .col(string_len_null(Alerts::AcknowledgedByOrg, 16))
                    .col(timestamp_with_time_zone_null(Alerts::EscalatedAt))
                    .col(timestamp_with_time_zone_null(Alerts::ResolvedAt))
                    .col(string_len_null(Alerts::ResolutionKind, 16))
                    .col(string_len_null(Alerts::ResolutionText, 500))
                    .col(string_len_null(Alerts::ResolvedBy, 255))
                    .col(string_len_null(Alerts::ResolvedByOrg, 16))
                    .col(boolean(Alerts::Suppressing))
                    .col(integer(Alerts::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_alerts_trajectory")
                            .from(Alerts::Table, Alerts::TrajectoryId)
                            .to(Trajectories::Table, Trajectories::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // At most one unresolved alert per rule and subject, whatever races.
        sql(manager, "CREATE UNIQUE INDEX ux_alerts_unresolved ON alerts (rule, subject_id) WHERE status <> 'resolved'").await?;
        sql(
            manager,
            "CREATE INDEX ix_alerts_trajectory ON alerts (trajectory_id, status)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_alerts_provider ON alerts (treating_provider, id)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_alerts_recipient ON alerts (recipient, id)",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Timers::Table)
                    .col(uuid(Timers::TrajectoryId).primary_key())
                    .col(timestamp_with_time_zone(Timers::DueAt))
                    .col(timestamp_with_time_zone_null(Timers::LeaseUntil))
                    .col(uuid_null(Timers::LeaseToken))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_timers_trajectory")
                            .from(Timers::Table, Timers::TrajectoryId)
                            .to(Trajectories::Table, Trajectories::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The scheduler reads only due timers, so its cost follows their number, not the
        // number of trajectories.
        sql(manager, "CREATE INDEX ix_timers_due ON timers (due_at)").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP TABLE timers").await?;
        sql(manager, "DROP TABLE alerts").await
    }
}
