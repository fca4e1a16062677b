//! The person's own door: links between a signed-in person (by the keyed hash of their
//! BSN, never the number) and trajectories they are the client of or a naaste in,
//! one-time invitation codes (stored hashed), and the lock-out counter for wrong codes.

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
                "CREATE TABLE person_invitations (
                    id {uuid} PRIMARY KEY,
                    trajectory_id {uuid} NOT NULL REFERENCES trajectories (id),
                    purpose VARCHAR(16) NOT NULL,
                    participant_id {uuid} REFERENCES participants (id),
                    level VARCHAR(16),
                    code_hash VARCHAR(64) NOT NULL UNIQUE,
                    created_by VARCHAR(255) NOT NULL,
                    created_by_org VARCHAR(32) NOT NULL,
                    created_at {time} NOT NULL,
                    expires_at {time} NOT NULL,
                    redeemed_at {time},
                    revoked_at {time}
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_person_invitations_trajectory ON person_invitations (trajectory_id, id)",
        )
        .await?;
        sql(
            manager,
            &format!(
                "CREATE TABLE person_links (
                    id {uuid} PRIMARY KEY,
                    trajectory_id {uuid} NOT NULL REFERENCES trajectories (id),
                    person_matcher VARCHAR(64) NOT NULL,
                    standing VARCHAR(16) NOT NULL,
                    participant_id {uuid} REFERENCES participants (id),
                    level VARCHAR(16),
                    invitation_id {uuid} NOT NULL REFERENCES person_invitations (id),
                    linked_at {time} NOT NULL,
                    revoked_at {time},
                    revoked_by VARCHAR(255)
                )"
            ),
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_person_links_person ON person_links (person_matcher, trajectory_id)",
        )
        .await?;
        sql(
            manager,
            "CREATE INDEX ix_person_links_trajectory ON person_links (trajectory_id, id)",
        )
        .await?;
        sql(
            manager,
            &format!(
                "CREATE TABLE person_attempts (
                    person_matcher VARCHAR(64) PRIMARY KEY,
                    failures INTEGER NOT NULL,
                    window_started_at {time} NOT NULL,
                    locked_until {time}
                )"
            ),
        )
        .await?;
        // A person acting records their role where an organisation id went (16 characters
        // held `informeel:000042`; `vertegenwoordiger` is 17). SQLite does not enforce
        // lengths.
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            for (table, column) in [
                ("consents", "recorded_by_org"),
                ("consents", "withdrawn_by_org"),
                ("referral_events", "actor_org"),
                ("trajectory_events", "actor_org"),
            ] {
                sql(
                    manager,
                    &format!("ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(32)"),
                )
                .await?;
            }
        }
        // Signing in finds the client's trajectories by the keyed hash of the BSN.
        sql(
            manager,
            "CREATE INDEX ix_trajectories_bsn_matcher ON trajectories (bsn_matcher) \
             WHERE bsn_matcher IS NOT NULL",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in [
            "DROP INDEX ix_trajectories_bsn_matcher",
            "DROP TABLE person_attempts",
            "DROP TABLE person_links",
            "DROP TABLE person_invitations",
        ] {
            sql(manager, statement).await?;
        }
        Ok(())
    }
}
