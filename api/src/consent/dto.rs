//! Bodies of the consent endpoints.

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::{BoundedText, Consent, ConsentGrant, OrgId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::date;
use crate::dto::schema;
use crate::error::ApiError;
use crate::trajectory::dto::ActorView;

pub const PURPOSE_MAX: usize = 200;

/// Records the client's explicit consent to share with one organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConsentRequest {
    /// The organisation the client agreed to share with.
    #[schema(schema_with = schema::org_id)]
    pub organisation: String,
    /// What the sharing is for.
    #[schema(
        max_length = 200,
        example = "Aanmelding Wmo-ondersteuning wonen en financiën"
    )]
    pub purpose: String,
    /// When the client gave consent [default: today].
    #[serde(default, deserialize_with = "date::optional")]
    pub given_on: Option<NaiveDate>,
    /// The day it lapses, if agreed: it covers the days before, so it must be after
    /// `given_on` (a consent lapsing the day it is given would cover none).
    #[serde(default, deserialize_with = "date::optional")]
    pub expires_on: Option<NaiveDate>,
}

impl CreateConsentRequest {
    pub fn into_grant(self, today: NaiveDate) -> Result<ConsentGrant, ApiError> {
        let invalid = |e: herstelbrug_domain::InvalidValue| ApiError::Validation(e.to_string());
        Ok(ConsentGrant {
            organisation: self.organisation.parse::<OrgId>().map_err(invalid)?,
            purpose: BoundedText::parse("purpose", &self.purpose, PURPOSE_MAX).map_err(invalid)?,
            given_on: self.given_on.unwrap_or(today),
            expires_on: self.expires_on,
        })
    }
}

/// Withdraws consent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawConsentRequest {
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// A recorded consent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentView {
    pub id: Uuid,
    pub trajectory_id: Uuid,
    #[schema(schema_with = schema::org_id)]
    pub organisation: String,
    pub purpose: String,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub recorded_by: ActorView,
    pub recorded_at: DateTime<Utc>,
    /// `active`, `expired` or `withdrawn`, as of today.
    #[schema(example = "active")]
    pub status: &'static str,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<ActorView>,
    pub withdrawal_reason: Option<String>,
    /// 1 as recorded, 2 once withdrawn: send it as `If-Match: "1"` to withdraw.
    pub version: u32,
}

impl ConsentView {
    pub fn new(c: &Consent, today: NaiveDate) -> Self {
        let status = match &c.withdrawal {
            Some(_) => "withdrawn",
            None if c.covers(c.organisation, today) => "active",
            None => "expired",
        };
        Self {
            id: c.id.as_uuid(),
            trajectory_id: c.trajectory_id.as_uuid(),
            organisation: c.organisation.to_string(),
            purpose: c.purpose.as_str().to_owned(),
            given_on: c.given_on,
            expires_on: c.expires_on,
            recorded_by: ActorView::from(&c.recorded_by),
            recorded_at: c.recorded_at,
            status,
            withdrawn_at: c.withdrawal.as_ref().map(|w| w.withdrawn_at),
            withdrawn_by: c
                .withdrawal
                .as_ref()
                .map(|w| ActorView::from(&w.withdrawn_by)),
            withdrawal_reason: c
                .withdrawal
                .as_ref()
                .and_then(|w| w.reason.as_ref().map(|r| r.as_str().to_owned())),
            version: c.version(),
        }
    }
}

/// A trajectory's consents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentList {
    pub items: Vec<ConsentView>,
}
