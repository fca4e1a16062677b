//! Person rows to domain values and back.

use herstelbrug_domain::person::NaasteLevel;
use herstelbrug_domain::person::invitation::InvitationState;
use herstelbrug_domain::{ParticipantId, TrajectoryId};
use uuid::Uuid;

use crate::entity::{person_invitation, person_link};
use crate::error::StoreError;

/// What an invitation links its redeemer as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationFor {
    /// The client (or, redeemed by a representative, the client they act for).
    Client,
    /// A naaste who is a participant of the trajectory, at a level.
    Naaste {
        participant: ParticipantId,
        level: NaasteLevel,
    },
}

impl InvitationFor {
    pub fn purpose(self) -> &'static str {
        match self {
            InvitationFor::Client => "client",
            InvitationFor::Naaste { .. } => "naaste",
        }
    }
}

/// An invitation as stored (never its code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub id: Uuid,
    pub trajectory_id: TrajectoryId,
    pub purpose: InvitationFor,
    pub state: InvitationState,
    pub created_by_org: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A naaste's (or a client's) link to a trajectory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRecord {
    pub id: Uuid,
    pub trajectory_id: TrajectoryId,
    pub standing: InvitationFor,
    pub linked_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn corrupt(column: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {err}"))
}

fn purpose(
    text: &str,
    participant: Option<Uuid>,
    level: Option<&str>,
) -> Result<InvitationFor, StoreError> {
    match (text, participant, level) {
        ("client", _, _) => Ok(InvitationFor::Client),
        ("naaste", Some(participant), Some(level)) => Ok(InvitationFor::Naaste {
            participant: ParticipantId::from_uuid(participant),
            level: level.parse().map_err(|e| corrupt("level", e))?,
        }),
        (other, _, _) => Err(corrupt("purpose", other)),
    }
}

pub(crate) fn invitation_from_row(
    row: &person_invitation::Model,
) -> Result<InvitationRecord, StoreError> {
    Ok(InvitationRecord {
        id: row.id,
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        purpose: purpose(&row.purpose, row.participant_id, row.level.as_deref())?,
        state: InvitationState {
            expires_at: row.expires_at,
            redeemed_at: row.redeemed_at,
            revoked_at: row.revoked_at,
        },
        created_by_org: row.created_by_org.clone(),
        created_at: row.created_at,
    })
}

pub(crate) fn link_from_row(row: &person_link::Model) -> Result<LinkRecord, StoreError> {
    Ok(LinkRecord {
        id: row.id,
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        standing: purpose(&row.standing, row.participant_id, row.level.as_deref())?,
        linked_at: row.linked_at,
        revoked_at: row.revoked_at,
    })
}
