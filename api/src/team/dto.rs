//! Bodies of the people around a client: participants, naasten, warm-handoff meetings.

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::team::{
    HandoffOutcome, Meeting, MeetingStatus, NewParticipant, Participant, ParticipantRole,
    SeenParticipant,
};
use herstelbrug_domain::{BoundedText, OrgId, ParticipantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::contact::{EMAIL_MAX, NAME_MAX, PHONE_MAX};
use crate::dto::{date, schema};
use crate::error::ApiError;
use crate::http::json_body;
use crate::referral::dto::REASON_MAX;

fn bounded(
    what: &'static str,
    v: &Option<String>,
    max: usize,
) -> Result<Option<BoundedText>, ApiError> {
    v.as_deref()
        .map(|t| BoundedText::parse(what, t, max))
        .transpose()
        .map_err(|e| ApiError::Validation(e.to_string()))
}

/// The client's consent to involve a naaste.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvolvementRequest {
    /// When the client agreed [default: today].
    #[serde(default, deserialize_with = "date::optional")]
    pub given_on: Option<NaiveDate>,
    /// Organisations besides the treating provider that may see the naaste (a recipient
    /// of the client's referral, say); none by default.
    #[serde(default)]
    #[schema(example = json!(["gemeente:0268"]))]
    pub share_with: Vec<String>,
}

/// Adds a participant: a professional (with an organisation) or a naaste (with a relation
/// and the client's consent to involve them).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "role": "relative", "name": "A. Jansen", "relation": "zus", "phone": "06-87654321",
    "consent": {"given_on": "2026-11-30", "share_with": ["gemeente:0268"]}
}))]
pub struct CreateParticipantRequest {
    #[schema(schema_with = schema::participant_role)]
    pub role: ParticipantRole,
    #[schema(max_length = 200, example = "M. de Vries")]
    pub name: String,
    /// A professional's organisation; none for a naaste.
    #[schema(schema_with = schema::org_id)]
    pub organisation: Option<String>,
    /// A professional's work phone, or a naaste's own.
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// A naaste's relation to the client.
    #[schema(max_length = 100, example = "zus")]
    pub relation: Option<String>,
    /// [default: today]
    #[serde(default, deserialize_with = "date::optional")]
    pub joined_on: Option<NaiveDate>,
    /// Required for a naaste, refused for a professional.
    #[serde(default, deserialize_with = "json_body::optional_object")]
    pub consent: Option<InvolvementRequest>,
}

impl CreateParticipantRequest {
    pub fn parse(&self, today: NaiveDate) -> Result<NewParticipant, ApiError> {
        let org = |field: String, text: &str| {
            text.parse::<OrgId>()
                .map_err(|e| ApiError::Validation(format!("`{field}`: {e}")))
        };
        Ok(NewParticipant {
            role: self.role,
            name: BoundedText::parse("name", &self.name, NAME_MAX)
                .map_err(|e| ApiError::Validation(e.to_string()))?,
            organisation: self
                .organisation
                .as_deref()
                .map(|o| org("organisation".to_owned(), o))
                .transpose()?,
            phone: bounded("phone", &self.phone, PHONE_MAX)?,
            email: bounded("email", &self.email, EMAIL_MAX)?,
            relation: bounded("relation", &self.relation, 100)?,
            joined_on: self.joined_on.unwrap_or(today),
            involvement: self
                .consent
                .as_ref()
                .map(|c| {
                    let share_with = c
                        .share_with
                        .iter()
                        .enumerate()
                        .map(|(i, o)| org(format!("consent.share_with[{i}]"), o))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok::<_, ApiError>((c.given_on.unwrap_or(today), share_with))
                })
                .transpose()?,
        })
    }
}

/// Ends a participant's part in the trajectory.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveRequest {
    /// [default: today]
    #[serde(default, deserialize_with = "date::optional")]
    pub left_on: Option<NaiveDate>,
}

/// The client's consent to involve a naaste, as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvolvementView {
    pub given_on: NaiveDate,
    pub share_with: Vec<String>,
}

/// One participant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantView {
    pub id: Uuid,
    #[schema(schema_with = schema::participant_role)]
    pub role: ParticipantRole,
    /// Null where the reader may not see it (a naaste before the referral is accepted).
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub relation: Option<String>,
    pub consent: Option<InvolvementView>,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    /// Also the `ETag`.
    pub version: u32,
}

impl From<&Participant> for ParticipantView {
    fn from(p: &Participant) -> Self {
        let text = |t: &Option<BoundedText>| t.as_ref().map(|t| t.as_str().to_owned());
        Self {
            id: p.id.as_uuid(),
            role: p.role,
            name: Some(p.name.as_str().to_owned()),
            organisation: p.organisation.map(|o| o.to_string()),
            phone: text(&p.phone),
            email: text(&p.email),
            relation: text(&p.relation),
            consent: p.involvement.as_ref().map(|i| InvolvementView {
                given_on: i.given_on,
                share_with: i.share_with.iter().map(ToString::to_string).collect(),
            }),
            joined_on: p.joined_on,
            left_on: p.left_on,
            version: p.version,
        }
    }
}

impl From<&SeenParticipant> for ParticipantView {
    /// What the disclosure table lets a party of a referral see: without `contact`, the
    /// role and a naaste's relation only. A naaste's consent names other organisations:
    /// it stays in the treating provider's own team view (`GET .../participants` of the
    /// trajectory), never in a view through a referral.
    fn from(seen: &SeenParticipant) -> Self {
        let mut view = ParticipantView::from(&seen.participant);
        view.consent = None;
        if !seen.seen.contact {
            view.name = None;
            view.phone = None;
            view.email = None;
        }
        view
    }
}

/// A team: the current participants first, then those who left.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamView {
    pub current: Vec<ParticipantView>,
    pub former: Vec<ParticipantView>,
}

impl TeamView {
    /// The team as one party of a referral sees it.
    pub fn seen(team: &[SeenParticipant]) -> Self {
        let views = |current: bool| {
            team.iter()
                .filter(|p| p.participant.is_current() == current)
                .map(ParticipantView::from)
                .collect()
        };
        Self {
            current: views(true),
            former: views(false),
        }
    }

    pub fn new(team: &[Participant]) -> Self {
        Self {
            current: team
                .iter()
                .filter(|p| p.is_current())
                .map(ParticipantView::from)
                .collect(),
            former: team
                .iter()
                .filter(|p| !p.is_current())
                .map(ParticipantView::from)
                .collect(),
        }
    }
}

/// Plans the warm handoff of a referral.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"planned_at": "2026-12-10T14:00:00Z",
    "participants": ["01a2348e-9e71-7400-9a15-a34ea24318ed"]}))]
pub struct PlanMeetingRequest {
    pub planned_at: DateTime<Utc>,
    /// Participants of the trajectory who take part (both sides, a naaste if the client
    /// wants).
    #[serde(default)]
    pub participants: Vec<Uuid>,
}

impl PlanMeetingRequest {
    pub fn participants(&self) -> Vec<ParticipantId> {
        self.participants
            .iter()
            .copied()
            .map(ParticipantId::from_uuid)
            .collect()
    }
}

/// What happened to a planned meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingOutcomeKind {
    Held,
    Postponed,
    NotHeld,
}

/// Records a meeting's outcome: `held`, `postponed` (with `planned_at`), or `not_held`
/// (with a `reason`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingOutcomeRequest {
    pub outcome: MeetingOutcomeKind,
    /// The new time of a postponed meeting.
    pub planned_at: Option<DateTime<Utc>>,
    /// Why it was not held.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

impl MeetingOutcomeRequest {
    pub fn parse(&self) -> Result<HandoffOutcome, ApiError> {
        match self.outcome {
            MeetingOutcomeKind::Held => Ok(HandoffOutcome::Held),
            MeetingOutcomeKind::Postponed => self
                .planned_at
                .map(|to| HandoffOutcome::Postponed { to })
                .ok_or_else(|| {
                    ApiError::Validation("`planned_at` is required to postpone".to_owned())
                }),
            MeetingOutcomeKind::NotHeld => {
                let reason = bounded("reason", &self.reason, REASON_MAX)?.ok_or_else(|| {
                    ApiError::Validation("`reason` is required when not held".to_owned())
                })?;
                Ok(HandoffOutcome::NotHeld { reason })
            }
        }
    }
}

/// A warm-handoff meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: Uuid,
    pub referral_id: Uuid,
    pub planned_at: DateTime<Utc>,
    pub participants: Vec<Uuid>,
    #[schema(schema_with = schema::meeting_status)]
    pub status: MeetingStatus,
    pub reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// Also the `ETag`.
    pub version: u32,
}

impl From<&Meeting> for MeetingView {
    fn from(m: &Meeting) -> Self {
        Self {
            id: m.id.as_uuid(),
            referral_id: m.referral_id.as_uuid(),
            planned_at: m.planned_at,
            participants: m.participants.iter().map(|p| p.as_uuid()).collect(),
            status: m.status,
            reason: m.reason.as_ref().map(|r| r.as_str().to_owned()),
            updated_at: m.updated_at,
            version: m.version,
        }
    }
}

/// A referral's handoff meetings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingList {
    pub items: Vec<MeetingView>,
}
