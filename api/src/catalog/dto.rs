//! Bodies of the catalog endpoints, shaped after Open Referral HSDS 3 (service,
//! eligibility, service_area, service_capacity, `assured_date`).

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::catalog::{
    Availability, Capacity, CapacityUnit, Eligibility, Language, Measured, Service, ServiceDetails,
    ServiceStatus, WaitingTimes,
};
use herstelbrug_domain::{BoundedText, GemeenteCode, ReferralKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::{date, number, schema};
use crate::error::ApiError;
use crate::http::json_body;

const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 2000;
const CONTACT_MAX: usize = 200;

/// Who a service is for.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityDto {
    #[schema(max_length = 2000, example = "Volwassenen na een klinische opname")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "number::opt_u8")]
    #[schema(minimum = 0, maximum = 120, example = 18)]
    pub minimum_age: Option<u8>,
    #[serde(default, deserialize_with = "number::opt_u8")]
    #[schema(minimum = 0, maximum = 120)]
    pub maximum_age: Option<u8>,
    /// A Wmo beschikking is needed before support starts.
    #[serde(default)]
    pub needs_wmo_decision: bool,
}

/// A service as its owner describes it (create, or replace with `PUT`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = crate::catalog::examples::request)]
pub struct ServiceRequest {
    #[schema(max_length = 200, example = "Begeleid wonen na opname")]
    pub name: String,
    #[schema(
        max_length = 2000,
        example = "Kamers met ambulante begeleiding, 12 plaatsen."
    )]
    pub description: Option<String>,
    #[schema(schema_with = schema::referral_kind)]
    pub kind: ReferralKind,
    /// `active` (the default), `inactive`, `temporarily_closed` or `defunct` (retired).
    #[schema(value_type = Option<String>, example = "active")]
    pub status: Option<String>,
    /// The municipalities it serves, as `gemeente:NNNN`; at least one.
    #[schema(min_items = 1, example = json!(["gemeente:0796"]))]
    pub serves: Vec<String>,
    #[serde(default, deserialize_with = "json_body::object")]
    pub eligibility: EligibilityDto,
    #[schema(
        max_length = 2000,
        example = "Aanmelden via de wijkteams of de verwijzer"
    )]
    pub how_to_apply: Option<String>,
    #[schema(max_length = 200, example = "073-1234567")]
    pub public_phone: Option<String>,
    #[schema(max_length = 200, example = "info@example.nl")]
    pub public_email: Option<String>,
    /// An `https://` address; `javascript:`, `data:` and plain `http:` are refused (422).
    #[schema(
        max_length = 200,
        pattern = r"^[Hh][Tt][Tt][Pp][Ss]://[A-Za-z0-9.:\[\]-]+(?:[/?#]\S*)?$",
        example = "https://example.nl/begeleid-wonen"
    )]
    pub website: Option<String>,
    /// ISO 639-1 codes.
    #[serde(default)]
    #[schema(example = json!(["nl", "en"]))]
    pub languages: Vec<String>,
    /// When the owner last confirmed the record [default: today].
    #[serde(default, deserialize_with = "date::optional")]
    pub assured_on: Option<NaiveDate>,
    /// The owner's own estimate of the wait, in days.
    #[serde(default, deserialize_with = "number::opt_u32")]
    #[schema(minimum = 0, maximum = 3650)]
    pub stated_wait_days: Option<u32>,
    /// The owner's own identifiers of the service (its registry's id, say). On a `PUT`,
    /// absent leaves them as they are and a list replaces them.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub identifiers: Option<Vec<crate::identifier::dto::IdentifierDto>>,
}

fn bounded(
    what: &'static str,
    text: &Option<String>,
    max: usize,
) -> Result<Option<BoundedText>, ApiError> {
    text.as_deref()
        .map(|t| BoundedText::parse(what, t, max))
        .transpose()
        .map_err(|e| ApiError::Validation(e.to_string()))
}

impl ServiceRequest {
    pub fn into_details(self, today: NaiveDate) -> Result<ServiceDetails, ApiError> {
        let invalid = |e: herstelbrug_domain::InvalidValue| ApiError::Validation(e.to_string());
        let status = self
            .status
            .as_deref()
            .map(str::parse::<ServiceStatus>)
            .transpose()
            .map_err(|e| ApiError::Validation(format!("status: {e}")))?
            .unwrap_or(ServiceStatus::Active);
        let serves = self
            .serves
            .iter()
            .map(|g| {
                g.parse::<GemeenteCode>()
                    .map_err(|e| ApiError::Validation(format!("serves: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let languages = self
            .languages
            .iter()
            .map(|l| Language::parse(l).map_err(invalid))
            .collect::<Result<Vec<_>, _>>()?;
        let eligibility = Eligibility::new(
            bounded(
                "eligibility.description",
                &self.eligibility.description,
                TEXT_MAX,
            )?,
            self.eligibility.minimum_age,
            self.eligibility.maximum_age,
            self.eligibility.needs_wmo_decision,
        )
        .map_err(invalid)?;
        ServiceDetails {
            name: BoundedText::parse("name", &self.name, NAME_MAX).map_err(invalid)?,
            description: bounded("description", &self.description, TEXT_MAX)?,
            kind: self.kind,
            status,
            serves,
            eligibility,
            how_to_apply: bounded("how_to_apply", &self.how_to_apply, TEXT_MAX)?,
            public_phone: bounded("public_phone", &self.public_phone, CONTACT_MAX)?,
            public_email: bounded("public_email", &self.public_email, CONTACT_MAX)?,
            website: match &self.website {
                // Checked as sent, like the document's pattern: no white space at all.
                Some(raw) if !herstelbrug_domain::catalog::service::is_https_url(raw) => {
                    return Err(ApiError::Validation(
                        "website: must be an https:// address (no javascript:, data: or plain http)"
                            .to_owned(),
                    ));
                }
                _ => bounded("website", &self.website, CONTACT_MAX)?,
            },
            languages,
            assured_on: Some(self.assured_on.unwrap_or(today)),
            stated_wait_days: self.stated_wait_days,
        }
        .validated()
        .map_err(invalid)
    }
}

/// Room a service has now: counted (`unit`, `available`, `maximum`) or the Gravity-style
/// answer (`availability`), not both.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = crate::catalog::examples::capacity)]
pub struct CapacityRequest {
    /// `places`, `beds` or `intake_slots`.
    #[schema(value_type = Option<String>, example = "places")]
    pub unit: Option<String>,
    #[serde(default, deserialize_with = "number::opt_u32")]
    #[schema(minimum = 0, maximum = 100000, example = 2)]
    pub available: Option<u32>,
    #[serde(default, deserialize_with = "number::opt_u32")]
    #[schema(minimum = 1, maximum = 100000, example = 12)]
    pub maximum: Option<u32>,
    /// `yes`, `no` or `waitlist`, when places are not counted.
    #[schema(value_type = Option<String>, example = json!(null))]
    pub availability: Option<String>,
    /// The owner's estimate of the wait now, in days.
    #[serde(default, deserialize_with = "number::opt_u32")]
    #[schema(minimum = 0, maximum = 3650, example = 21)]
    pub stated_wait_days: Option<u32>,
}

impl CapacityRequest {
    pub fn capacity(&self, now: DateTime<Utc>) -> Result<Capacity, ApiError> {
        let invalid = |e: String| ApiError::Validation(e);
        match (&self.unit, self.available, self.maximum, &self.availability) {
            (Some(unit), Some(available), Some(maximum), None) => Capacity::counted(
                unit.parse::<CapacityUnit>()
                    .map_err(|e| invalid(format!("unit: {e}")))?,
                available,
                maximum,
                now,
            )
            .map_err(|e| invalid(e.to_string())),
            (None, None, None, Some(answer)) => Ok(Capacity::Answer {
                availability: answer
                    .parse::<Availability>()
                    .map_err(|e| invalid(format!("availability: {e}")))?,
                updated_at: now,
            }),
            _ => Err(invalid(
                "capacity: give `unit`, `available` and `maximum`, or `availability` alone"
                    .to_owned(),
            )),
        }
    }
}

/// Room as last posted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CapacityView {
    /// `yes`, `no` or `waitlist`.
    #[schema(example = "yes")]
    pub availability: &'static str,
    pub unit: Option<&'static str>,
    pub available: Option<u32>,
    pub maximum: Option<u32>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Capacity> for CapacityView {
    fn from(c: &Capacity) -> Self {
        match c {
            Capacity::Counted {
                unit,
                available,
                maximum,
                updated_at,
            } => Self {
                availability: c.availability().as_str(),
                unit: Some(unit.as_str()),
                available: Some(*available),
                maximum: Some(*maximum),
                updated_at: *updated_at,
            },
            Capacity::Answer { updated_at, .. } => Self {
                availability: c.availability().as_str(),
                unit: None,
                available: None,
                maximum: None,
                updated_at: *updated_at,
            },
        }
    }
}

/// One measured interval; with fewer than 5 referrals in the window every figure is
/// `null` and `insufficient_data` is true, so no figure can point at a client.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasuredView {
    pub insufficient_data: bool,
    pub median_days: Option<f64>,
    pub p80_days: Option<f64>,
    /// How many referrals the figure is built from (`null` when suppressed).
    pub measured: Option<usize>,
    /// The share within the Treeknorm, 0 to 1.
    pub within_norm: Option<f64>,
    pub median_breaks_norm: Option<bool>,
}

impl From<Measured> for MeasuredView {
    fn from(m: Measured) -> Self {
        match m {
            Measured::Figure(f) => Self {
                insufficient_data: false,
                median_days: Some(f.median_days),
                p80_days: Some(f.p80_days),
                measured: Some(f.measured),
                within_norm: Some(f.within_norm),
                median_breaks_norm: Some(f.median_breaks_norm),
            },
            Measured::InsufficientData => Self {
                insufficient_data: true,
                median_days: None,
                p80_days: None,
                measured: None,
                within_norm: None,
                median_breaks_norm: None,
            },
        }
    }
}

/// Waiting measured from the referrals sent to the service over the last 61 days.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitingView {
    /// Request to acceptance (the aanmeldwachttijd counterpart; Treeknorm 4 weeks).
    pub to_acceptance: MeasuredView,
    /// Acceptance to start (the behandelwachttijd counterpart; Treeknorm 10 weeks).
    pub to_start: MeasuredView,
    /// Request to start (Treeknorm 14 weeks).
    pub total: MeasuredView,
}

impl From<&WaitingTimes> for WaitingView {
    fn from(w: &WaitingTimes) -> Self {
        Self {
            to_acceptance: w.to_acceptance.into(),
            to_start: w.to_start.into(),
            total: w.total.into(),
        }
    }
}

/// A catalog service, with what Herstelbrug measured of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::catalog::examples::view)]
pub struct ServiceView {
    pub id: Uuid,
    #[schema(schema_with = schema::org_id)]
    pub owner: String,
    pub name: String,
    pub description: Option<String>,
    #[schema(schema_with = schema::referral_kind)]
    pub kind: ReferralKind,
    #[schema(example = "active")]
    pub status: &'static str,
    pub serves: Vec<String>,
    pub eligibility: EligibilityDto,
    pub how_to_apply: Option<String>,
    pub public_phone: Option<String>,
    pub public_email: Option<String>,
    pub website: Option<String>,
    pub languages: Vec<String>,
    pub assured_on: Option<NaiveDate>,
    pub stated_wait_days: Option<u32>,
    pub capacity: Option<CapacityView>,
    pub waiting: WaitingView,
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn text(t: &Option<BoundedText>) -> Option<String> {
    t.as_ref().map(|t| t.as_str().to_owned())
}

impl ServiceView {
    pub fn new(s: &Service, waiting: &WaitingTimes) -> Self {
        let d = &s.details;
        Self {
            id: s.id.as_uuid(),
            owner: s.owner.to_string(),
            name: d.name.as_str().to_owned(),
            description: text(&d.description),
            kind: d.kind,
            status: d.status.as_str(),
            serves: d.serves.iter().map(ToString::to_string).collect(),
            eligibility: EligibilityDto {
                description: text(&d.eligibility.description),
                minimum_age: d.eligibility.minimum_age,
                maximum_age: d.eligibility.maximum_age,
                needs_wmo_decision: d.eligibility.needs_wmo_decision,
            },
            how_to_apply: text(&d.how_to_apply),
            public_phone: text(&d.public_phone),
            public_email: text(&d.public_email),
            website: text(&d.website),
            languages: d.languages.iter().map(|l| l.as_str().to_owned()).collect(),
            assured_on: d.assured_on,
            stated_wait_days: d.stated_wait_days,
            capacity: s.capacity.as_ref().map(CapacityView::from),
            waiting: WaitingView::from(waiting),
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// Marks a page of full records.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FullForm {
    Full,
}

/// Marks a page in the minimal form.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MinimalForm {
    Minimal,
}

/// A page of the catalog.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::catalog::examples::list)]
pub struct ServiceList {
    /// Always `full`: tells this page from the minimal form.
    pub form: FullForm,
    pub items: Vec<ServiceView>,
    /// Pass as `after` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// One change in a service's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceChangeView {
    pub sequence: u32,
    /// `created`, `updated`, `retired` or `capacity`.
    pub change: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub subject: String,
    pub org: String,
    pub recorded_at: DateTime<Utc>,
}

/// A service's history, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::catalog::examples::history)]
pub struct ServiceHistory {
    pub items: Vec<ServiceChangeView>,
}
