//! Conversions between alert rows and the domain's alerts.

use herstelbrug_domain::{
    Actor, Alert, AlertId, AlertSubject, BoundedText, ReferralId, Resolution, Subject, TrajectoryId,
};
use sea_orm::ActiveValue::Set;

use crate::entity::alert;
use crate::error::StoreError;
use crate::trajectory::row::stored_version;

fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("alerts.{column}: {e}"))
}

fn parse<T: std::str::FromStr>(column: &str, text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| corrupt(column, e))
}

fn actor(
    column: &str,
    subject: Option<&str>,
    org: Option<&str>,
) -> Result<Option<Actor>, StoreError> {
    match (subject, org) {
        (Some(subject), Some(org)) => Ok(Some(Actor {
            subject: Subject::parse(subject).map_err(|e| corrupt(column, e))?,
            org: parse(column, org)?,
        })),
        (None, None) => Ok(None),
        _ => Err(corrupt(column, "half an actor")),
    }
}

pub(crate) fn alert_from_row(row: alert::Model) -> Result<Alert, StoreError> {
    let subject = match row.referral_id {
        Some(id) => AlertSubject::Referral {
            id: ReferralId::from_uuid(id),
            recipient: parse("recipient", row.recipient.as_deref().unwrap_or_default())?,
        },
        None => AlertSubject::Trajectory(TrajectoryId::from_uuid(row.trajectory_id)),
    };
    let facts = row
        .facts
        .as_object()
        .ok_or_else(|| corrupt("facts", "not an object"))?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    let text = |t: Option<&str>| {
        BoundedText::parse("resolution", t.unwrap_or_default(), usize::MAX)
            .map_err(|e| corrupt("resolution_text", e))
    };
    let resolution = match row.resolution_kind.as_deref() {
        None => None,
        Some("cleared") => Some(Resolution::Cleared {
            cause: row.resolution_text.clone().unwrap_or_default(),
        }),
        Some("by_hand") => Some(Resolution::ByHand {
            actor: actor(
                "resolved_by",
                row.resolved_by.as_deref(),
                row.resolved_by_org.as_deref(),
            )?
            .ok_or_else(|| corrupt("resolved_by", "missing"))?,
            reason: text(row.resolution_text.as_deref())?,
        }),
        Some(other) => return Err(corrupt("resolution_kind", other)),
    };
    Ok(Alert {
        id: AlertId::from_uuid(row.id),
        rule: parse("rule", &row.rule)?,
        severity: parse("severity", &row.severity)?,
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        subject,
        treating_provider: parse("treating_provider", &row.treating_provider)?,
        municipality: parse("municipality", &row.municipality)?,
        status: parse("status", &row.status)?,
        facts,
        opened_at: row.opened_at,
        acknowledged_at: row.acknowledged_at,
        acknowledged_by: actor(
            "acknowledged_by",
            row.acknowledged_by.as_deref(),
            row.acknowledged_by_org.as_deref(),
        )?,
        escalated_at: row.escalated_at,
        resolved_at: row.resolved_at,
        resolution,
        suppressing: row.suppressing,
        informs_municipality: row.informs_municipality,
        version: u32::try_from(row.version).map_err(|e| corrupt("version", e))?,
    })
}

pub(crate) fn alert_to_row(a: &Alert) -> alert::ActiveModel {
    let (kind, text, by) = match &a.resolution {
        None => (None, None, None),
        Some(Resolution::Cleared { cause }) => (Some("cleared"), Some(cause.clone()), None),
        Some(Resolution::ByHand { actor, reason }) => {
            (Some("by_hand"), Some(reason.to_string()), Some(actor))
        }
    };
    let subject_id = match a.subject {
        AlertSubject::Trajectory(id) => id.as_uuid(),
        AlertSubject::Referral { id, .. } => id.as_uuid(),
    };
    let recipient = match a.subject {
        AlertSubject::Trajectory(_) => None,
        AlertSubject::Referral { recipient, .. } => Some(recipient.to_string()),
    };
    let facts: serde_json::Map<String, serde_json::Value> = a
        .facts
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    alert::ActiveModel {
        id: Set(a.id.as_uuid()),
        rule: Set(a.rule.as_str().to_owned()),
        severity: Set(a.severity.as_str().to_owned()),
        trajectory_id: Set(a.trajectory_id.as_uuid()),
        referral_id: Set(a.subject.referral_id().map(|id| id.as_uuid())),
        subject_id: Set(subject_id),
        treating_provider: Set(a.treating_provider.to_string()),
        recipient: Set(recipient),
        municipality: Set(a.municipality.to_string()),
        status: Set(a.status.as_str().to_owned()),
        facts: Set(serde_json::Value::Object(facts)),
        opened_at: Set(a.opened_at),
        acknowledged_at: Set(a.acknowledged_at),
        acknowledged_by: Set(a.acknowledged_by.as_ref().map(|x| x.subject.to_string())),
        acknowledged_by_org: Set(a.acknowledged_by.as_ref().map(|x| x.org.to_string())),
        escalated_at: Set(a.escalated_at),
        resolved_at: Set(a.resolved_at),
        resolution_kind: Set(kind.map(str::to_owned)),
        resolution_text: Set(text),
        resolved_by: Set(by.map(|x| x.subject.to_string())),
        resolved_by_org: Set(by.map(|x| x.org.to_string())),
        suppressing: Set(a.suppressing),
        informs_municipality: Set(a.informs_municipality),
        version: Set(stored_version(a.version)),
    }
}
