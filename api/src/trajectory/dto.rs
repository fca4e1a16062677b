//! Bodies of the trajectory endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::{
    Actor, BoundedText, Change, GemeenteCode, Phase, ReferralChange, ReferralEvent, ReferralStatus,
    Registration, Trajectory, TrajectoryEvent, TransitionCommand, allowed_targets,
};
use herstelbrug_persistence::TrajectoryHistory;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::dto::date;
use crate::dto::schema;
use crate::error::ApiError;

/// Registers a trajectory. The treating provider is the caller's organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTrajectoryRequest {
    #[schema(schema_with = schema::client_ref)]
    pub client_ref: String,
    /// The client's municipality, which will provide social-domain support.
    #[schema(schema_with = schema::municipality)]
    pub municipality: String,
    /// The date treatment started; not in the future.
    #[serde(deserialize_with = "date::required")]
    pub started_on: NaiveDate,
    /// The planned end of treatment, if known.
    #[serde(default, deserialize_with = "date::optional")]
    pub planned_end_on: Option<NaiveDate>,
    /// The client's BSN (9 digits, 11-proef), to match the client across providers. It is
    /// stored only hashed and encrypted and is never returned.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "111222333", pattern = "^[0-9]{9}$")]
    pub bsn: Option<BsnInput>,
    /// After a relapse: the provider's closed trajectory of the same client this one
    /// re-enters after. Within 90 days of that closure it counts as a re-admission.
    pub previous_trajectory: Option<Uuid>,
    /// The provider's own identifiers of the trajectory (its EHR's episode id, say); find
    /// it again with `GET /v1/trajectories?identifier=system|value`.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub identifiers: Vec<crate::identifier::dto::IdentifierDto>,
}

/// A BSN as it arrives. Its errors never repeat it, and it never serializes as itself.
#[derive(Clone)]
pub struct BsnInput(String);

impl std::fmt::Debug for BsnInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BsnInput(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for BsnInput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = BsnInput;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a BSN as a string of 9 digits")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<BsnInput, E> {
                Ok(BsnInput(v.to_owned()))
            }
        }
        // Any other JSON type is refused by `expecting` alone: serde's default message
        // would quote the number.
        deserializer
            .deserialize_str(Visitor)
            .map_err(|_: D::Error| serde::de::Error::custom("`bsn` must be a string of 9 digits"))
    }
}

impl Serialize for BsnInput {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Request fingerprints must not carry the number.
        serializer.serialize_str("<bsn>")
    }
}

impl BsnInput {
    pub fn parse(&self) -> Result<herstelbrug_domain::bsn::Bsn, ApiError> {
        herstelbrug_domain::bsn::Bsn::parse(&self.0)
            .map_err(|e| ApiError::Validation(e.to_string()))
    }
}

/// Finds the caller's trajectories of a client by BSN (in the body, never in a URL).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BsnSearchRequest {
    #[schema(value_type = String, example = "111222333", pattern = "^[0-9]{9}$")]
    pub bsn: BsnInput,
}

impl CreateTrajectoryRequest {
    pub fn into_registration(self) -> Result<Registration, ApiError> {
        let invalid = |e: herstelbrug_domain::InvalidValue| ApiError::Validation(e.to_string());
        Ok(Registration {
            client_ref: self.client_ref.parse().map_err(invalid)?,
            municipality: self.municipality.parse::<GemeenteCode>().map_err(invalid)?,
            started_on: self.started_on,
            planned_end_on: self.planned_end_on,
            previous: self
                .previous_trajectory
                .map(herstelbrug_domain::TrajectoryId::from_uuid),
        })
    }
}

pub const REASON_MAX_LEN: usize = 64;

/// Moves a trajectory to another phase.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    #[schema(schema_with = schema::phase)]
    pub to: Phase,
    #[schema(schema_with = schema::any_reason)]
    pub reason: Option<String>,
    /// The date the change takes effect [default: today]; not in the future and not before
    /// the current phase began.
    #[serde(default, deserialize_with = "date::optional")]
    pub effective_on: Option<NaiveDate>,
    /// Required when moving to `transition`; optional when returning to `treatment`.
    #[serde(default, deserialize_with = "date::optional")]
    pub planned_end_on: Option<NaiveDate>,
    /// When ending treatment: why no follow-up is needed (the clinician's judgement). Keeps
    /// `treatment_ended_without_followup` from being raised.
    #[schema(max_length = 500)]
    pub no_follow_up_reason: Option<String>,
}

pub const NO_FOLLOW_UP_MAX: usize = 500;

impl TransitionRequest {
    pub fn into_command(self, today: NaiveDate) -> Result<TransitionCommand, ApiError> {
        if self
            .reason
            .as_ref()
            .is_some_and(|r| r.len() > REASON_MAX_LEN)
        {
            return Err(ApiError::Validation(format!(
                "`reason` is longer than {REASON_MAX_LEN} bytes"
            )));
        }
        let no_follow_up_reason = self
            .no_follow_up_reason
            .as_deref()
            .map(|r| BoundedText::parse("no_follow_up_reason", r, NO_FOLLOW_UP_MAX))
            .transpose()
            .map_err(|e| ApiError::Validation(e.to_string()))?;
        Ok(TransitionCommand {
            to: self.to,
            reason: self.reason,
            effective_on: self.effective_on.unwrap_or(today),
            planned_end_on: self.planned_end_on,
            no_follow_up_reason,
        })
    }
}

/// A trajectory's current state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrajectoryView {
    pub id: Uuid,
    #[schema(schema_with = schema::client_ref)]
    pub client_ref: String,
    #[schema(schema_with = schema::org_id)]
    pub treating_provider: String,
    #[schema(schema_with = schema::municipality)]
    pub municipality: String,
    #[schema(schema_with = schema::phase)]
    pub phase: Phase,
    pub started_on: NaiveDate,
    /// When the current phase began.
    pub phase_since: NaiveDate,
    pub planned_end_on: Option<NaiveDate>,
    pub treatment_ended_on: Option<NaiveDate>,
    #[schema(schema_with = schema::end_reason)]
    pub end_reason: Option<&'static str>,
    #[schema(schema_with = schema::closure_outcome)]
    pub closure_outcome: Option<&'static str>,
    /// Recorded when treatment ended: why no follow-up is needed.
    pub no_follow_up_reason: Option<String>,
    /// The closed trajectory this one re-enters after.
    pub previous_trajectory_id: Option<Uuid>,
    /// Started within 90 days of that closure: a re-admission.
    pub readmission: bool,
    /// The number of events in the history; also the `ETag`.
    pub version: u32,
    /// The phases the trajectory may move to now.
    #[schema(schema_with = schema::phases)]
    pub allowed_transitions: Vec<Phase>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Trajectory> for TrajectoryView {
    fn from(t: &Trajectory) -> Self {
        Self {
            id: t.id.as_uuid(),
            client_ref: t.client_ref.to_string(),
            treating_provider: t.treating_provider.to_string(),
            municipality: t.municipality.to_string(),
            phase: t.phase,
            started_on: t.started_on,
            phase_since: t.phase_since,
            planned_end_on: t.planned_end_on,
            treatment_ended_on: t.treatment_ended_on,
            end_reason: t.end_reason.map(|r| r.as_str()),
            closure_outcome: t.closure_outcome.map(|o| o.as_str()),
            no_follow_up_reason: t.no_follow_up_reason.as_ref().map(ToString::to_string),
            previous_trajectory_id: t.previous.map(|p| p.as_uuid()),
            readmission: t.readmission,
            version: t.version,
            allowed_transitions: allowed_targets(t.phase),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A page of trajectories.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrajectoryList {
    pub items: Vec<TrajectoryView>,
    /// Pass as `after` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

/// Filters and paging of the trajectory list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTrajectoriesParams {
    /// Only trajectories in this phase.
    #[param(schema_with = schema::phase)]
    pub phase: Option<Phase>,
    /// Only trajectories of clients of this municipality (`gemeente:NNNN`).
    #[param(schema_with = schema::municipality)]
    pub municipality: Option<String>,
    /// Only trajectories changed at or after this instant (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Only the one the caller's organisation gave this identifier, written
    /// `system|value` (FHIR's token syntax).
    #[param(
        min_length = 3,
        max_length = 400,
        pattern = r"^[A-Za-z][A-Za-z0-9+.-]*:[!-{}~]+\|[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F])?$",
        example = "https://ehr.example.nl/episodes|EP-2026-00417"
    )]
    pub identifier: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, max_length = 200, pattern = "^[A-Za-z0-9_-]+$")]
    pub after: Option<String>,
    /// Page size, 1 to 500 [default: 50].
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Who made a change, on whose behalf.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActorView {
    pub subject: String,
    #[schema(schema_with = schema::org_id)]
    pub org: String,
}

impl From<&Actor> for ActorView {
    fn from(actor: &Actor) -> Self {
        Self {
            subject: actor.subject.to_string(),
            org: actor.org.to_string(),
        }
    }
}

/// One event of a trajectory's history: a phase change, or a change of one of its referrals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    #[schema(schema_with = schema::event_kind)]
    pub kind: &'static str,
    /// For phase events the trajectory's version after it; for referral events the referral's.
    pub sequence: u32,
    /// Set on referral events.
    pub referral_id: Option<Uuid>,
    /// The phase (or, for referral events, the referral status) before.
    pub from: Option<&'static str>,
    /// The phase (or referral status) after.
    pub to: &'static str,
    /// The end reason, readmission reason or outcome; for referrals the stated reason.
    pub reason: Option<String>,
    pub planned_end_on: Option<NaiveDate>,
    /// Phase events: the date the change took effect.
    pub effective_on: Option<NaiveDate>,
    pub actor: ActorView,
    pub recorded_at: DateTime<Utc>,
}

impl From<&TrajectoryEvent> for EventView {
    fn from(e: &TrajectoryEvent) -> Self {
        let planned_end_on = match &e.change {
            Change::Registered { planned_end_on, .. }
            | Change::TreatmentExtended { planned_end_on }
            | Change::Readmitted { planned_end_on, .. } => *planned_end_on,
            Change::TransitionStarted { planned_end_on } => Some(*planned_end_on),
            Change::TreatmentEnded { .. } | Change::Closed { .. } => None,
        };
        Self {
            kind: e.change.kind(),
            sequence: e.sequence,
            referral_id: None,
            from: e.from.map(Phase::as_str),
            to: e.to.as_str(),
            reason: e.change.reason().map(str::to_owned),
            planned_end_on,
            effective_on: Some(e.effective_on),
            actor: ActorView::from(&e.actor),
            recorded_at: e.recorded_at,
        }
    }
}

impl From<&ReferralEvent> for EventView {
    fn from(e: &ReferralEvent) -> Self {
        let reason = match &e.change {
            // The code, and its words when there are any: `no_capacity`, `other: …`.
            ReferralChange::Rejected { code, reason } => Some(match reason {
                Some(words) => format!("{code}: {words}"),
                None => code.to_string(),
            }),
            ReferralChange::Failed { reason, .. } => Some(reason.to_string()),
            ReferralChange::Cancelled { reason } => reason.as_ref().map(ToString::to_string),
            _ => None,
        };
        Self {
            kind: e.change.kind(),
            sequence: e.sequence,
            referral_id: Some(e.referral_id.as_uuid()),
            from: e.from.map(ReferralStatus::as_str),
            to: e.to.as_str(),
            reason,
            planned_end_on: None,
            effective_on: None,
            actor: ActorView::from(&e.actor),
            recorded_at: e.recorded_at,
        }
    }
}

/// A trajectory's history, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
}

impl From<&TrajectoryHistory> for EventList {
    fn from(history: &TrajectoryHistory) -> Self {
        let mut items: Vec<EventView> = history.phases.iter().map(EventView::from).collect();
        items.extend(history.referrals.iter().map(EventView::from));
        // Stable: events of one stream keep their order when recorded in the same instant.
        items.sort_by_key(|e| e.recorded_at);
        Self { items }
    }
}
