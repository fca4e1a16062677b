//! `GET /v1/referrals?identifier=system|value`: the referral the caller's organisation
//! gave that identifier.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_domain::{IdentifiedKind, ReferralId};
use herstelbrug_openapi::Problem;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log;
use crate::http::query::StrictQuery;
use crate::identifier::dto::parse_token;
use crate::referral::dto::ReferralView;
use crate::state::AppState;

/// What a lookup asks for.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LookupParams {
    /// The identifier the caller's organisation gave the referral, written `system|value`.
    #[param(
        min_length = 3,
        max_length = 400,
        pattern = r"^[A-Za-z][A-Za-z0-9+.-]*:[!-{}~]+\|[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F])?$",
        example = "https://gemeente.example.nl/iwmo/toewijzing|TW-2026-000123"
    )]
    pub identifier: String,
}

/// The referrals found: one, or none.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralMatches {
    pub items: Vec<ReferralView>,
}

/// Find a referral by identifier.
///
/// For a system that keeps its own ids (an EHR's FHIR Task id, a municipality's iWmo
/// toewijzing number): the referral the caller's organisation gave that identifier, as
/// the caller may see it; an empty list when there is none. Identifiers of the other
/// party never match.
#[utoipa::path(
    operation_id = "find_referrals_by_identifier",
    tag = "referrals",
    params(LookupParams),
    responses(
        (status = 200, description = "The referral with that identifier, or none", body = ReferralMatches),
        (status = 422, description = "`identifier` is not `system|value` with a URI system",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals")]
pub async fn lookup(
    principal: Principal,
    state: web::Data<AppState>,
    params: StrictQuery<LookupParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let identifier = parse_token(&params.identifier)?;
    let found = state
        .identifiers
        .find(org, IdentifiedKind::Referral, &identifier)
        .await?;
    let mut items = Vec::new();
    if let Some(id) = found {
        let record = state
            .referrals
            .get(ReferralId::from_uuid(id), org, state.clock.now())
            .await?;
        access_log::disclosed(&req, [record.referral.trajectory_id.as_uuid()]);
        items.push(ReferralView::for_org(&record, org));
    }
    Ok(HttpResponse::Ok().json(ReferralMatches { items }))
}
