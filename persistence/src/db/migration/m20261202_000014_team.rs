//! The people around a client and the warm handoff: participants (professionals and
//! naasten, with the client's consent to involve a naaste), handoff meetings per
//! referral, and a log of steps for what has no row history of its own (meetings).

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
        let date = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => "DATE",
            _ => "TEXT",
        };
        sql(
            manager,
            &format!(
                "CREATE TABLE participants (
                    id {uuid} PRIMARY KEY,
                    trajectory_id {uuid} NOT NULL REFERENCES trajectories (id),
                    role VARCHAR(32) NOT NULL,
                    name VARCHAR(200) NOT NULL,
                    organisation VARCHAR(32),
                    phone VARCHAR(40),
                    email VARCHAR(254),
                    relation VARCHAR(100),
                    consent_given_on {date},
                    consent_share_with TEXT,
                    consent_recorded_by VARCHAR(255),
                    consent_recorded_by_org VARCHAR(32),
                    joined_on {date} NOT NULL,
                    left_on {date},
                    recorded_at {time} NOT NULL,
                    version INTEGER NOT NULL
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_participants_trajectory ON participants (trajectory_id, id)",
        )
        .await?;
        sql(
            manager,
            &format!(
                "CREATE TABLE handoff_meetings (
                    id {uuid} PRIMARY KEY,
                    referral_id {uuid} NOT NULL REFERENCES referrals (id),
                    trajectory_id {uuid} NOT NULL REFERENCES trajectories (id),
                    planned_at {time} NOT NULL,
                    participants TEXT NOT NULL,
                    status VARCHAR(16) NOT NULL,
                    reason VARCHAR(500),
                    recorded_by VARCHAR(255) NOT NULL,
                    recorded_by_org VARCHAR(32) NOT NULL,
                    updated_at {time} NOT NULL,
                    version INTEGER NOT NULL
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_handoff_meetings_trajectory ON handoff_meetings (trajectory_id, id)",
        )
        .await?;
        sql(
            manager,
            &format!(
                "CREATE TABLE trajectory_steps (
                    id {uuid} PRIMARY KEY,
                    trajectory_id {uuid} NOT NULL REFERENCES trajectories (id),
                    kind VARCHAR(40) NOT NULL,
                    detail TEXT NOT NULL,
                    actor_subject VARCHAR(255) NOT NULL,
                    actor_org VARCHAR(32) NOT NULL,
                    recorded_at {time} NOT NULL
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_trajectory_steps_trajectory ON trajectory_steps (trajectory_id, recorded_at)",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql(manager, "DROP TABLE trajectory_steps").await?;
        sql(manager, "DROP TABLE handoff_meetings").await?;
        sql(manager, "DROP TABLE participants").await
    }
}
