//! Conversions between participant, meeting and step rows and the domain's types.

use herstelbrug_domain::team::{Involvement, Meeting, Participant};
use herstelbrug_domain::{
    Actor, BoundedText, MeetingId, OrgId, ParticipantId, ReferralId, Subject, TrajectoryId,
};
use sea_orm::ActiveValue::Set;

use crate::entity::{handoff_meeting, participant, trajectory_step};
use crate::error::StoreError;
use crate::trajectory::row::stored_version;

fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {e}"))
}

fn text(column: &'static str, value: Option<&str>) -> Result<Option<BoundedText>, StoreError> {
    value
        .map(|v| BoundedText::parse(column, v, usize::MAX).map_err(|e| corrupt(column, e)))
        .transpose()
}

fn owned(value: &Option<BoundedText>) -> Option<String> {
    value.as_ref().map(|t| t.as_str().to_owned())
}

fn actor(subject: &str, org: &str) -> Result<Actor, StoreError> {
    Ok(Actor {
        subject: Subject::parse(subject).map_err(|e| corrupt("actor", e))?,
        org: org.parse().map_err(|e| corrupt("actor org", e))?,
    })
}

fn version(v: i32) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|e| corrupt("version", e))
}

pub(crate) fn participant_from_row(row: participant::Model) -> Result<Participant, StoreError> {
    let involvement = match (
        row.consent_given_on,
        row.consent_recorded_by.as_deref(),
        row.consent_recorded_by_org.as_deref(),
    ) {
        (Some(given_on), Some(by), Some(org)) => {
            let share_with: Vec<String> =
                serde_json::from_str(row.consent_share_with.as_deref().unwrap_or("[]"))
                    .map_err(|e| corrupt("consent_share_with", e))?;
            Some(Involvement {
                given_on,
                share_with: share_with
                    .iter()
                    .map(|o| {
                        o.parse::<OrgId>()
                            .map_err(|e| corrupt("consent_share_with", e))
                    })
                    .collect::<Result<_, _>>()?,
                recorded_by: actor(by, org)?,
            })
        }
        (None, _, _) => None,
        _ => return Err(corrupt("consent", "incomplete")),
    };
    Ok(Participant {
        id: ParticipantId::from_uuid(row.id),
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        role: row.role.parse().map_err(|e| corrupt("role", e))?,
        name: BoundedText::parse("name", &row.name, usize::MAX).map_err(|e| corrupt("name", e))?,
        organisation: row
            .organisation
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e| corrupt("organisation", e))?,
        phone: text("phone", row.phone.as_deref())?,
        email: text("email", row.email.as_deref())?,
        relation: text("relation", row.relation.as_deref())?,
        involvement,
        joined_on: row.joined_on,
        left_on: row.left_on,
        recorded_at: row.recorded_at,
        version: version(row.version)?,
    })
}

pub(crate) fn participant_to_row(p: &Participant) -> participant::ActiveModel {
    let involvement = p.involvement.as_ref();
    participant::ActiveModel {
        id: Set(p.id.as_uuid()),
        trajectory_id: Set(p.trajectory_id.as_uuid()),
        role: Set(p.role.as_str().to_owned()),
        name: Set(p.name.as_str().to_owned()),
        organisation: Set(p.organisation.map(|o| o.to_string())),
        phone: Set(owned(&p.phone)),
        email: Set(owned(&p.email)),
        relation: Set(owned(&p.relation)),
        consent_given_on: Set(involvement.map(|i| i.given_on)),
        consent_share_with: Set(involvement.map(|i| {
            serde_json::Value::from(
                i.share_with
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
            )
            .to_string()
        })),
        consent_recorded_by: Set(involvement.map(|i| i.recorded_by.subject.to_string())),
        consent_recorded_by_org: Set(involvement.map(|i| i.recorded_by.org.to_string())),
        joined_on: Set(p.joined_on),
        left_on: Set(p.left_on),
        recorded_at: Set(p.recorded_at),
        version: Set(stored_version(p.version)),
    }
}

pub(crate) fn meeting_from_row(row: handoff_meeting::Model) -> Result<Meeting, StoreError> {
    let participants: Vec<uuid::Uuid> =
        serde_json::from_str(&row.participants).map_err(|e| corrupt("participants", e))?;
    Ok(Meeting {
        id: MeetingId::from_uuid(row.id),
        referral_id: ReferralId::from_uuid(row.referral_id),
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        planned_at: row.planned_at,
        participants: participants
            .into_iter()
            .map(ParticipantId::from_uuid)
            .collect(),
        status: row.status.parse().map_err(|e| corrupt("status", e))?,
        reason: text("reason", row.reason.as_deref())?,
        recorded_by: actor(&row.recorded_by, &row.recorded_by_org)?,
        updated_at: row.updated_at,
        version: version(row.version)?,
    })
}

pub(crate) fn meeting_to_row(m: &Meeting) -> handoff_meeting::ActiveModel {
    handoff_meeting::ActiveModel {
        id: Set(m.id.as_uuid()),
        referral_id: Set(m.referral_id.as_uuid()),
        trajectory_id: Set(m.trajectory_id.as_uuid()),
        planned_at: Set(m.planned_at),
        participants: Set(serde_json::Value::from(
            m.participants
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>(),
        )
        .to_string()),
        status: Set(m.status.as_str().to_owned()),
        reason: Set(owned(&m.reason)),
        recorded_by: Set(m.recorded_by.subject.to_string()),
        recorded_by_org: Set(m.recorded_by.org.to_string()),
        updated_at: Set(m.updated_at),
        version: Set(stored_version(m.version)),
    }
}

/// A step of a trajectory's history kept in `trajectory_steps`.
pub(crate) fn step_row(
    trajectory_id: TrajectoryId,
    kind: &str,
    detail: serde_json::Value,
    actor: &Actor,
    at: chrono::DateTime<chrono::Utc>,
) -> trajectory_step::ActiveModel {
    trajectory_step::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        trajectory_id: Set(trajectory_id.as_uuid()),
        kind: Set(kind.to_owned()),
        detail: Set(detail.to_string()),
        actor_subject: Set(actor.subject.to_string()),
        actor_org: Set(actor.org.to_string()),
        recorded_at: Set(at),
    }
}
