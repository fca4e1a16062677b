//! Conversions between referral and consent rows and domain types.

use std::str::FromStr;

use herstelbrug_domain::{
    Actor, BoundedText, ClientContact, Consent, ConsentId, Referral, ReferralChange, ReferralEvent,
    ReferralId, ReferrerContact, Subject, TrajectoryId, Withdrawal,
};
use sea_orm::ActiveValue::Set;

use crate::entity::{consent, referral, referral_event};
use crate::error::StoreError;
use crate::trajectory::row::stored_version;

fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {e}"))
}

fn parse<T: FromStr>(column: &str, text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| corrupt(column, e))
}

/// A referral with whether the client's consent for its recipient holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRecord {
    pub referral: Referral,
    pub consent_holds: bool,
}

/// Stored text was bounded on the way in; reading it back only re-checks its form.
fn text(column: &'static str, value: &str) -> Result<BoundedText, StoreError> {
    BoundedText::parse(column, value, usize::MAX).map_err(|e| corrupt(column, e))
}

fn opt_text(column: &'static str, value: Option<&str>) -> Result<Option<BoundedText>, StoreError> {
    value.map(|v| text(column, v)).transpose()
}

fn owned(value: &Option<BoundedText>) -> Option<String> {
    value.as_ref().map(|t| t.as_str().to_owned())
}

fn actor(subject: &str, org: &str) -> Result<Actor, StoreError> {
    Ok(Actor {
        subject: Subject::parse(subject).map_err(|e| corrupt("actor subject", e))?,
        org: parse("actor org", org)?,
    })
}

fn version(value: i32) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|e| corrupt("version", e))
}

pub(crate) fn referral_from_row(row: referral::Model) -> Result<Referral, StoreError> {
    Ok(Referral {
        id: ReferralId::from_uuid(row.id),
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        requester: parse("requester", &row.requester)?,
        recipient: parse("recipient", &row.recipient)?,
        kind: parse("kind", &row.kind)?,
        status: parse("status", &row.status)?,
        // No words were given: stored as the empty text (the column predates codes).
        needs: opt_text("needs", Some(row.needs.as_str()).filter(|n| !n.is_empty()))?,
        life_domains: herstelbrug_domain::LifeDomain::split(&row.life_domains)
            .map_err(|e| StoreError::Corrupt(format!("life_domains: {e}")))?,
        requested_start_on: row.requested_start_on,
        client: ClientContact {
            name: opt_text("client_name", row.client_name.as_deref())?,
            phone: opt_text("client_phone", row.client_phone.as_deref())?,
            email: opt_text("client_email", row.client_email.as_deref())?,
            address: opt_text("client_address", row.client_address.as_deref())?,
        },
        referrer: ReferrerContact {
            name: opt_text("referrer_name", row.referrer_name.as_deref())?,
            phone: opt_text("referrer_phone", row.referrer_phone.as_deref())?,
            email: opt_text("referrer_email", row.referrer_email.as_deref())?,
        },
        requested_at: row.requested_at,
        received_at: row.received_at,
        application_on: row.application_on,
        decided_at: row.decided_at,
        planned_start_on: row.planned_start_on,
        started_on: row.started_on,
        ended_on: row.ended_on,
        status_reason: opt_text("status_reason", row.status_reason.as_deref())?,
        assessment_due_on: row.assessment_due_on,
        decision_due_on: row.decision_due_on,
        service: row.service_id.map(herstelbrug_domain::ServiceId::from_uuid),
        offer: row.offer_id.map(herstelbrug_domain::OfferId::from_uuid),
        rejection: row
            .rejection_reason
            .as_deref()
            .map(|r| parse("rejection_reason", r))
            .transpose()?,
        version: version(row.version)?,
        updated_at: row.updated_at,
    })
}

pub(crate) fn referral_to_row(r: &Referral) -> referral::ActiveModel {
    referral::ActiveModel {
        id: Set(r.id.as_uuid()),
        trajectory_id: Set(r.trajectory_id.as_uuid()),
        requester: Set(r.requester.to_string()),
        recipient: Set(r.recipient.to_string()),
        kind: Set(r.kind.as_str().to_owned()),
        status: Set(r.status.as_str().to_owned()),
        needs: Set(r
            .needs
            .as_ref()
            .map_or_else(String::new, |n| n.as_str().to_owned())),
        life_domains: Set(herstelbrug_domain::LifeDomain::join(&r.life_domains)),
        requested_start_on: Set(r.requested_start_on),
        client_name: Set(owned(&r.client.name)),
        client_phone: Set(owned(&r.client.phone)),
        client_email: Set(owned(&r.client.email)),
        client_address: Set(owned(&r.client.address)),
        referrer_name: Set(owned(&r.referrer.name)),
        referrer_phone: Set(owned(&r.referrer.phone)),
        referrer_email: Set(owned(&r.referrer.email)),
        requested_at: Set(r.requested_at),
        received_at: Set(r.received_at),
        application_on: Set(r.application_on),
        decided_at: Set(r.decided_at),
        planned_start_on: Set(r.planned_start_on),
        started_on: Set(r.started_on),
        ended_on: Set(r.ended_on),
        status_reason: Set(owned(&r.status_reason)),
        assessment_due_on: Set(r.assessment_due_on),
        decision_due_on: Set(r.decision_due_on),
        version: Set(stored_version(r.version)),
        updated_at: Set(r.updated_at),
        service_id: Set(r.service.map(|s| s.as_uuid())),
        offer_id: Set(r.offer.map(|o| o.as_uuid())),
        rejection_reason: Set(r.rejection.map(|c| c.as_str().to_owned())),
    }
}

pub(crate) fn referral_event_to_row(
    e: &ReferralEvent,
) -> Result<referral_event::ActiveModel, StoreError> {
    let data =
        serde_json::to_value(&e.change).map_err(|err| corrupt("referral event data", err))?;
    Ok(referral_event::ActiveModel {
        referral_id: Set(e.referral_id.as_uuid()),
        sequence: Set(stored_version(e.sequence)),
        trajectory_id: Set(e.trajectory_id.as_uuid()),
        kind: Set(e.change.kind().to_owned()),
        from_status: Set(e.from.map(|s| s.as_str().to_owned())),
        to_status: Set(e.to.as_str().to_owned()),
        actor_subject: Set(e.actor.subject.to_string()),
        actor_org: Set(e.actor.org.to_string()),
        recorded_at: Set(e.recorded_at),
        data: Set(data),
    })
}

pub(crate) fn referral_event_from_row(
    row: referral_event::Model,
) -> Result<ReferralEvent, StoreError> {
    let change: ReferralChange =
        serde_json::from_value(row.data).map_err(|err| corrupt("referral event data", err))?;
    Ok(ReferralEvent {
        referral_id: ReferralId::from_uuid(row.referral_id),
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        sequence: version(row.sequence)?,
        from: row
            .from_status
            .as_deref()
            .map(|s| parse("from_status", s))
            .transpose()?,
        to: parse("to_status", &row.to_status)?,
        change,
        actor: actor(&row.actor_subject, &row.actor_org)?,
        recorded_at: row.recorded_at,
    })
}

pub(crate) fn consent_from_row(row: consent::Model) -> Result<Consent, StoreError> {
    let withdrawal = match (
        row.withdrawn_at,
        row.withdrawn_by.as_deref(),
        row.withdrawn_by_org.as_deref(),
    ) {
        (Some(at), Some(by), Some(org)) => Some(Withdrawal {
            withdrawn_at: at,
            withdrawn_by: actor(by, org)?,
            reason: opt_text("withdrawal_reason", row.withdrawal_reason.as_deref())?,
        }),
        (None, _, _) => None,
        _ => return Err(corrupt("withdrawal", "incomplete")),
    };
    Ok(Consent {
        id: ConsentId::from_uuid(row.id),
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        organisation: parse("organisation", &row.organisation)?,
        purpose: text("purpose", &row.purpose)?,
        given_on: row.given_on,
        expires_on: row.expires_on,
        recorded_by: actor(&row.recorded_by, &row.recorded_by_org)?,
        recorded_at: row.recorded_at,
        withdrawal,
    })
}

pub(crate) fn consent_to_row(c: &Consent) -> consent::ActiveModel {
    let withdrawal = c.withdrawal.as_ref();
    consent::ActiveModel {
        id: Set(c.id.as_uuid()),
        trajectory_id: Set(c.trajectory_id.as_uuid()),
        organisation: Set(c.organisation.to_string()),
        purpose: Set(c.purpose.as_str().to_owned()),
        given_on: Set(c.given_on),
        expires_on: Set(c.expires_on),
        recorded_by: Set(c.recorded_by.subject.to_string()),
        recorded_by_org: Set(c.recorded_by.org.to_string()),
        recorded_at: Set(c.recorded_at),
        withdrawn_at: Set(withdrawal.map(|w| w.withdrawn_at)),
        withdrawn_by: Set(withdrawal.map(|w| w.withdrawn_by.subject.to_string())),
        withdrawn_by_org: Set(withdrawal.map(|w| w.withdrawn_by.org.to_string())),
        withdrawal_reason: Set(withdrawal.and_then(|w| owned(&w.reason))),
    }
}
