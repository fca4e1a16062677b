//! Bodies of routing: offers to several candidates, and the alternatives to try next.

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::routing::{Candidate, OfferStatus};
use herstelbrug_domain::{BoundedText, OrgId, ReferralKind};
use herstelbrug_persistence::{NewOffer, OfferRecord, Suggestion};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalog::dto::ServiceView;
use crate::dto::contact::{ClientContactDto, ReferrerContactDto};
use crate::dto::date;
use crate::dto::schema;
use crate::error::ApiError;
use crate::http::json_body;
use crate::referral::dto::{NEEDS_MAX, ProviderReferralView};

/// One candidate recipient of an offer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateRequest {
    #[schema(schema_with = schema::org_id)]
    pub recipient: String,
    /// The candidate's catalog service, if the referrer chose one (its owner must be the
    /// recipient).
    pub service: Option<Uuid>,
}

/// Offers the client to 2 to 5 candidates at once; the first to accept is selected and
/// the others are cancelled (`not_selected`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "housing",
    "candidates": [
        {"recipient": "gemeente:0268", "service": "01a2348e-9e71-7400-9a15-a34ea24318ed"},
        {"recipient": "agb:87654321"}
    ],
    "needs": "Zoekt woonruimte na opname",
    "client": {"name": "J. Jansen", "phone": "06-12345678"},
    "referrer": {"name": "M. de Vries", "phone": "024-1234567"}
}))]
pub struct CreateOfferRequest {
    #[schema(schema_with = schema::referral_kind)]
    pub kind: ReferralKind,
    /// 2 to 5 different organisations; the client's consent is needed for each.
    #[schema(min_items = 2, max_items = 5)]
    pub candidates: Vec<CandidateRequest>,
    /// What support the client needs. No diagnoses or substances: a BSN or a diagnosis
    /// code (ICD-10, DSM-5) is refused (422).
    #[schema(max_length = 1000)]
    pub needs: String,
    /// What help is asked, as codes, besides the words.
    #[serde(default)]
    #[schema(schema_with = schema::life_domains)]
    pub life_domains: Vec<String>,
    #[serde(default, deserialize_with = "date::optional")]
    pub requested_start_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "json_body::object")]
    pub client: ClientContactDto,
    #[serde(default, deserialize_with = "json_body::object")]
    pub referrer: ReferrerContactDto,
}

impl CreateOfferRequest {
    /// The offer command for a trajectory of `provider`, held to `policy`.
    pub fn parse(
        &self,
        trajectory_id: herstelbrug_domain::TrajectoryId,
        provider: herstelbrug_domain::AgbCode,
        policy: herstelbrug_domain::routing::OfferPolicy,
    ) -> Result<NewOffer, ApiError> {
        let candidates = self
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Ok(Candidate {
                    recipient: c.recipient.parse::<OrgId>().map_err(|e| {
                        ApiError::Validation(format!("`candidates[{i}].recipient`: {e}"))
                    })?,
                    service: c.service.map(herstelbrug_domain::ServiceId::from_uuid),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(NewOffer {
            trajectory_id,
            provider,
            policy,
            kind: self.kind,
            candidates,
            needs: Some(
                BoundedText::parse_shared("needs", &self.needs, NEEDS_MAX)
                    .map_err(|e| ApiError::Validation(e.to_string()))?,
            ),
            life_domains: herstelbrug_domain::LifeDomain::parse_list(&self.life_domains)
                .map_err(|e| ApiError::Validation(format!("life_domains: {e}")))?,
            requested_start_on: self.requested_start_on,
            client: self.client.parse()?,
            referrer: self.referrer.parse()?,
        })
    }
}

/// An offer as its requester sees it: the group as one thing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferView {
    pub id: Uuid,
    pub trajectory_id: Uuid,
    #[schema(schema_with = schema::referral_kind)]
    pub kind: ReferralKind,
    #[schema(schema_with = schema::offer_status)]
    pub status: OfferStatus,
    /// The candidate's referral that accepted first.
    pub selected_referral_id: Option<Uuid>,
    /// When it expires if nobody accepts (10 working days by default).
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every candidate's referral: who was asked, who accepted, who was not selected.
    pub candidates: Vec<ProviderReferralView>,
    pub version: u32,
}

impl From<&OfferRecord> for OfferView {
    fn from(r: &OfferRecord) -> Self {
        let o = &r.offer;
        Self {
            id: o.id.as_uuid(),
            trajectory_id: o.trajectory_id.as_uuid(),
            kind: o.kind,
            status: o.status,
            selected_referral_id: o.selected.map(|s| s.as_uuid()),
            expires_at: o.expires_at,
            created_at: o.created_at,
            updated_at: o.updated_at,
            candidates: r
                .candidates
                .iter()
                .map(ProviderReferralView::from)
                .collect(),
            version: o.version,
        }
    }
}

/// A trajectory's offers, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferList {
    pub items: Vec<OfferView>,
}

/// Where the client could go next for one kind of support: active services serving the
/// client's municipality with room, shortest measured wait first, without the ones that
/// rejected the client or are being asked now. Refer with `kind`, the service's `owner`
/// as `recipient` and its `id` as `service`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionView {
    #[schema(schema_with = schema::referral_kind)]
    pub kind: ReferralKind,
    #[schema(schema_with = schema::municipality)]
    pub municipality: String,
    pub services: Vec<ServiceView>,
}

impl From<&Suggestion> for SuggestionView {
    fn from(s: &Suggestion) -> Self {
        Self {
            kind: s.kind,
            municipality: s.municipality.to_string(),
            services: s
                .services
                .iter()
                .map(|e| ServiceView::new(&e.service, &e.waiting))
                .collect(),
        }
    }
}

/// The alternatives for a referral's client.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlternativesView {
    pub referral_id: Uuid,
    pub suggestion: SuggestionView,
}
