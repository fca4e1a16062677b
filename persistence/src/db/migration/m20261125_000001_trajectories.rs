//! Trajectories, their event history, and stored idempotent responses.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::sql;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Trajectories {
    Table,
    Id,
    ClientRef,
    TreatingProvider,
    Municipality,
    Phase,
    StartedOn,
    PhaseSince,
    PlannedEndOn,
    TreatmentEndedOn,
    EndReason,
    ClosureOutcome,
    NoFollowUpReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrajectoryEvents {
    Table,
    TrajectoryId,
    Sequence,
    Kind,
    FromPhase,
    ToPhase,
    EffectiveOn,
    ActorSubject,
    ActorOrg,
    RecordedAt,
    Data,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Org,
    Key,
    Fingerprint,
    Status,
    Body,
    Etag,
    Location,
    CreatedAt,
}

fn index(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for column in columns {
        statement.col(Alias::new(*column));
    }
    statement.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Trajectories::Table)
                    .col(uuid(Trajectories::Id).primary_key())
                    .col(string_len(Trajectories::ClientRef, 64))
                    .col(string_len(Trajectories::TreatingProvider, 16))
                    .col(string_len(Trajectories::Municipality, 16))
                    .col(string_len(Trajectories::Phase, 32))
                    .col(date(Trajectories::StartedOn))
                    .col(date(Trajectories::PhaseSince))
                    .col(date_null(Trajectories::PlannedEndOn))
                    .col(date_null(Trajectories::TreatmentEndedOn))
                    .col(string_len_null(Trajectories::EndReason, 32))
                    .col(string_len_null(Trajectories::ClosureOutcome, 32))
                    .col(string_len_null(Trajectories::NoFollowUpReason, 500))
                    .col(integer(Trajectories::Version))
                    .col(timestamp_with_time_zone(Trajectories::CreatedAt))
                    .col(timestamp_with_time_zone(Trajectories::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // Every list is scoped to one provider and paged by id, optionally by phase,
        // municipality or update time: each filter has an index that starts the same way.
        for (name, columns) in [
            (
                "ix_trajectories_provider_id",
                &["treating_provider", "id"][..],
            ),
            (
                "ix_trajectories_provider_phase",
                &["treating_provider", "phase", "id"][..],
            ),
            (
                "ix_trajectories_provider_municipality",
                &["treating_provider", "municipality", "id"][..],
            ),
            (
                "ix_trajectories_provider_updated",
                &["treating_provider", "updated_at"][..],
            ),
        ] {
            manager
                .create_index(index(name, Trajectories::Table, columns))
                .await?;
        }
        // One open trajectory per client per provider; a re-admission after closure starts
        // a new one. Partial indexes have the same syntax on PostgreSQL and SQLite.
        sql(
            manager,
            "CREATE UNIQUE INDEX ux_trajectories_open_client \
             ON trajectories (treating_provider, client_ref) WHERE phase <> 'closed'",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TrajectoryEvents::Table)
                    .col(uuid(TrajectoryEvents::TrajectoryId))
                    .col(integer(TrajectoryEvents::Sequence))
                    .col(string_len(TrajectoryEvents::Kind, 32))
                    .col(string_len_null(TrajectoryEvents::FromPhase, 32))
                    .col(string_len(TrajectoryEvents::ToPhase, 32))
                    .col(date(TrajectoryEvents::EffectiveOn))
                    .col(string_len(TrajectoryEvents::ActorSubject, 255))
                    .col(string_len(TrajectoryEvents::ActorOrg, 16))
                    .col(timestamp_with_time_zone(TrajectoryEvents::RecordedAt))
                    .col(json(TrajectoryEvents::Data))
                    .primary_key(
                        Index::create()
                            .col(TrajectoryEvents::TrajectoryId)
                            .col(TrajectoryEvents::Sequence),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_trajectory_events_trajectory")
                            .from(TrajectoryEvents::Table, TrajectoryEvents::TrajectoryId)
                            .to(Trajectories::Table, Trajectories::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(string_len(IdempotencyKeys::Org, 16))
                    .col(string_len(IdempotencyKeys::Key, 255))
                    .col(string_len(IdempotencyKeys::Fingerprint, 64))
                    .col(integer(IdempotencyKeys::Status))
                    .col(json(IdempotencyKeys::Body))
                    .col(string_len_null(IdempotencyKeys::Etag, 64))
                    .col(string_len_null(IdempotencyKeys::Location, 255))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Org)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_idempotency_keys_created",
                IdempotencyKeys::Table,
                &["created_at"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            TrajectoryEvents::Table.into_iden(),
            Trajectories::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
