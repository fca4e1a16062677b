//! Conversions between trajectory rows and domain types. Stored text is parsed back
//! through the domain's own parsers, so a row that no longer parses is reported, not used.

use std::str::FromStr;

use herstelbrug_domain::{
    Actor, BoundedText, Change, Subject, Trajectory, TrajectoryEvent, TrajectoryId,
};
use sea_orm::ActiveValue::Set;

use crate::entity::{trajectory, trajectory_event};
use crate::error::StoreError;

fn parse<T: FromStr>(column: &str, text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn parse_opt<T: FromStr>(column: &str, text: Option<&str>) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.map(|t| parse(column, t)).transpose()
}

fn version(column: &str, value: i32) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column}: {value}")))
}

/// The stored form of a version; versions are bounded far below `i32::MAX` in practice.
pub(crate) fn stored_version(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

pub(crate) fn trajectory_from_row(row: trajectory::Model) -> Result<Trajectory, StoreError> {
    Ok(Trajectory {
        id: TrajectoryId::from_uuid(row.id),
        client_ref: parse("client_ref", &row.client_ref)?,
        treating_provider: parse("treating_provider", &row.treating_provider)?,
        municipality: parse("municipality", &row.municipality)?,
        phase: parse("phase", &row.phase)?,
        started_on: row.started_on,
        phase_since: row.phase_since,
        planned_end_on: row.planned_end_on,
        treatment_ended_on: row.treatment_ended_on,
        end_reason: parse_opt("end_reason", row.end_reason.as_deref())?,
        closure_outcome: parse_opt("closure_outcome", row.closure_outcome.as_deref())?,
        no_follow_up_reason: row
            .no_follow_up_reason
            .as_deref()
            .map(|r| BoundedText::parse("no_follow_up_reason", r, usize::MAX))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("no_follow_up_reason: {e}")))?,
        previous: row.previous_trajectory_id.map(TrajectoryId::from_uuid),
        readmission: row.readmission,
        version: version("version", row.version)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The full row for a trajectory; used for insert, and for update after `reset_all`.
pub(crate) fn trajectory_to_row(t: &Trajectory) -> trajectory::ActiveModel {
    trajectory::ActiveModel {
        id: Set(t.id.as_uuid()),
        client_ref: Set(t.client_ref.to_string()),
        treating_provider: Set(t.treating_provider.to_string()),
        municipality: Set(t.municipality.to_string()),
        phase: Set(t.phase.as_str().to_owned()),
        started_on: Set(t.started_on),
        phase_since: Set(t.phase_since),
        planned_end_on: Set(t.planned_end_on),
        treatment_ended_on: Set(t.treatment_ended_on),
        end_reason: Set(t.end_reason.map(|r| r.as_str().to_owned())),
        closure_outcome: Set(t.closure_outcome.map(|o| o.as_str().to_owned())),
        no_follow_up_reason: Set(t
            .no_follow_up_reason
            .as_ref()
            .map(|r| r.as_str().to_owned())),
        version: Set(stored_version(t.version)),
        created_at: Set(t.created_at),
        updated_at: Set(t.updated_at),
        // Written only at registration; updates leave them as they are.
        bsn_matcher: sea_orm::ActiveValue::NotSet,
        bsn_sealed: sea_orm::ActiveValue::NotSet,
        previous_trajectory_id: Set(t.previous.map(|p| p.as_uuid())),
        readmission: Set(t.readmission),
    }
}

pub(crate) fn event_to_row(
    e: &TrajectoryEvent,
) -> Result<trajectory_event::ActiveModel, StoreError> {
    let data = serde_json::to_value(&e.change)
        .map_err(|err| StoreError::Corrupt(format!("event data: {err}")))?;
    Ok(trajectory_event::ActiveModel {
        trajectory_id: Set(e.trajectory_id.as_uuid()),
        sequence: Set(stored_version(e.sequence)),
        kind: Set(e.change.kind().to_owned()),
        from_phase: Set(e.from.map(|p| p.as_str().to_owned())),
        to_phase: Set(e.to.as_str().to_owned()),
        effective_on: Set(e.effective_on),
        actor_subject: Set(e.actor.subject.to_string()),
        actor_org: Set(e.actor.org.to_string()),
        recorded_at: Set(e.recorded_at),
        data: Set(data),
    })
}

pub(crate) fn event_from_row(row: trajectory_event::Model) -> Result<TrajectoryEvent, StoreError> {
    let change: Change = serde_json::from_value(row.data)
        .map_err(|err| StoreError::Corrupt(format!("event data: {err}")))?;
    Ok(TrajectoryEvent {
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        sequence: version("sequence", row.sequence)?,
        from: parse_opt("from_phase", row.from_phase.as_deref())?,
        to: parse("to_phase", &row.to_phase)?,
        change,
        effective_on: row.effective_on,
        actor: Actor {
            subject: Subject::parse(&row.actor_subject)
                .map_err(|e| StoreError::Corrupt(format!("actor_subject: {e}")))?,
            org: parse("actor_org", &row.actor_org)?,
        },
        recorded_at: row.recorded_at,
    })
}
