//! Consents, referrals, their events, and the per-organisation change feeds.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

use super::sql;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Consents {
    Table,
    Id,
    TrajectoryId,
    Organisation,
    Purpose,
    GivenOn,
    ExpiresOn,
    RecordedBy,
    RecordedByOrg,
    RecordedAt,
    WithdrawnAt,
    WithdrawnBy,
    WithdrawnByOrg,
    WithdrawalReason,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    Id,
    TrajectoryId,
    Requester,
    Recipient,
    Kind,
    Status,
    Needs,
    RequestedStartOn,
    ClientName,
    ClientPhone,
    ClientEmail,
    ClientAddress,
    ReferrerName,
    ReferrerPhone,
    ReferrerEmail,
    RequestedAt,
    ReceivedAt,
    ApplicationOn,
    DecidedAt,
    PlannedStartOn,
    StartedOn,
    EndedOn,
    StatusReason,
    AssessmentDueOn,
    DecisionDueOn,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReferralEvents {
    Table,
    ReferralId,
    Sequence,
    TrajectoryId,
    Kind,
    FromStatus,
    ToStatus,
    ActorSubject,
    ActorOrg,
    RecordedAt,
    Data,
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
                    .table(Consents::Table)
                    .col(uuid(Consents::Id).primary_key())
                    .col(uuid(Consents::TrajectoryId))
                    .col(string_len(Consents::Organisation, 16))
                    .col(string_len(Consents::Purpose, 200))
                    .col(date(Consents::GivenOn))
                    .col(date_null(Consents::ExpiresOn))
                    .col(string_len(Consents::RecordedBy, 255))
                    .col(string_len(Consents::RecordedByOrg, 16))
                    .col(timestamp_with_time_zone(Consents::RecordedAt))
                    .col(timestamp_with_time_zone_null(Consents::WithdrawnAt))
                    .col(string_len_null(Consents::WithdrawnBy, 255))
                    .col(string_len_null(Consents::WithdrawnByOrg, 16))
                    .col(string_len_null(Consents::WithdrawalReason, 500))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consents_trajectory")
                            .from(Consents::Table, Consents::TrajectoryId)
                            .to(Trajectories::Table, Trajectories::Id),
                    )
                    .to_owned(),
            )
            .await?;
        sql(
            manager,
            "CREATE INDEX ix_consents_trajectory_org ON consents (trajectory_id, organisation)",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Referrals::Table)
                    .col(uuid(Referrals::Id).primary_key())
                    .col(uuid(Referrals::TrajectoryId))
                    .col(string_len(Referrals::Requester, 16))
                    .col(string_len(Referrals::Recipient, 16))
                    .col(string_len(Referrals::Kind, 32))
                    .col(string_len(Referrals::Status, 32))
                    .col(text(Referrals::Needs))
                    .col(date_null(Referrals::RequestedStartOn))
                    .col(string_len_null(Referrals::ClientName, 200))
                    .col(string_len_null(Referrals::ClientPhone, 40))
                    .col(string_len_null(Referrals::ClientEmail, 254))
                    .col(string_len_null(Referrals::ClientAddress, 300))
                    .col(string_len_null(Referrals::ReferrerName, 200))
                    .col(string_len_null(Referrals::ReferrerPhone, 40))
                    .col(string_len_null(Referrals::ReferrerEmail, 254))
                    .col(timestamp_with_time_zone(Referrals::RequestedAt))
                    .col(timestamp_with_time_zone_null(Referrals::ReceivedAt))
                    .col(date_null(Referrals::ApplicationOn))
                    .col(timestamp_with_time_zone_null(Referrals::DecidedAt))
                    .col(date_null(Referrals::PlannedStartOn))
                    .col(date_null(Referrals::StartedOn))
                    .col(date_null(Referrals::EndedOn))
                    .col(string_len_null(Referrals::StatusReason, 500))
                    .col(date_null(Referrals::AssessmentDueOn))
                    .col(date_null(Referrals::DecisionDueOn))
                    .col(integer(Referrals::Version))
                    .col(timestamp_with_time_zone(Referrals::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referrals_trajectory")
                            .from(Referrals::Table, Referrals::TrajectoryId)
                            .to(Trajectories::Table, Trajectories::Id),
                    )
                    .to_owned(),
            )
            .await?;
        sql(
            manager,
            "CREATE INDEX ix_referrals_trajectory ON referrals (trajectory_id, id)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_referrals_recipient ON referrals (recipient, id)",
        )
        .await?;
        // iWmo forbids a second request of one kind to one organisation while one is open.
        sql(
            manager,
            "CREATE UNIQUE INDEX ux_referrals_open ON referrals (trajectory_id, kind, recipient) \
             WHERE status IN ('requested', 'received', 'under_assessment', 'accepted', 'in_progress')",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReferralEvents::Table)
                    .col(uuid(ReferralEvents::ReferralId))
                    .col(integer(ReferralEvents::Sequence))
                    .col(uuid(ReferralEvents::TrajectoryId))
                    .col(string_len(ReferralEvents::Kind, 40))
                    .col(string_len_null(ReferralEvents::FromStatus, 32))
                    .col(string_len(ReferralEvents::ToStatus, 32))
                    .col(string_len(ReferralEvents::ActorSubject, 255))
                    .col(string_len(ReferralEvents::ActorOrg, 16))
                    .col(timestamp_with_time_zone(ReferralEvents::RecordedAt))
                    .col(json(ReferralEvents::Data))
                    .primary_key(
                        Index::create()
                            .col(ReferralEvents::ReferralId)
                            .col(ReferralEvents::Sequence),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referral_events_referral")
                            .from(ReferralEvents::Table, ReferralEvents::ReferralId)
                            .to(Referrals::Table, Referrals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        sql(manager, "CREATE INDEX ix_referral_events_trajectory ON referral_events (trajectory_id, recorded_at)").await?;

        // The change feeds (a recipient's inbox, a requester's outbox, an organisation's
        // alerts). PostgreSQL assigns identity values at insert, not at commit, so a reader
        // ordering by id alone could pass a row whose transaction commits later. Each row
        // therefore records its transaction id, and readers only read rows of transactions
        // older than every transaction still running (pg_snapshot_xmin): those can no
        // longer change. SQLite has one writer at a time, so ids commit in order.
        let feed = match manager.get_database_backend() {
            DbBackend::Postgres => {
                "CREATE TABLE feed_entries (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    tx_id BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
                    org VARCHAR(16) NOT NULL,
                    stream VARCHAR(16) NOT NULL,
                    subject_id UUID NOT NULL,
                    subject_version INTEGER NOT NULL,
                    change VARCHAR(40) NOT NULL,
                    recorded_at TIMESTAMPTZ NOT NULL
                )"
            }
            _ => {
                "CREATE TABLE feed_entries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tx_id BIGINT NOT NULL DEFAULT 0,
                    org VARCHAR(16) NOT NULL,
                    stream VARCHAR(16) NOT NULL,
                    subject_id BLOB NOT NULL,
                    subject_version INTEGER NOT NULL,
                    change VARCHAR(40) NOT NULL,
                    recorded_at TEXT NOT NULL
                )"
            }
        };
        sql(manager, feed).await?;
        sql(
            manager,
            "CREATE INDEX ix_feed_entries_reader ON feed_entries (org, stream, tx_id, id)",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["feed_entries", "referral_events", "referrals", "consents"] {
            sql(manager, &format!("DROP TABLE {table}")).await?;
        }
        Ok(())
    }
}
