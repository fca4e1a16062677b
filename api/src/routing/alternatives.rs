//! `GET /v1/referrals/{rid}/alternatives`: where the client could go instead.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::referral::referral_id;
use crate::routing::dto::{AlternativesView, SuggestionView};
use crate::state::AppState;

/// Suggest the next candidates.
///
/// For the requester of a referral (typically after a rejection or an expired offer): up
/// to 5 active services of the same kind that serve the client's municipality and have
/// room (`yes` or `waitlist`), shortest measured wait to acceptance first (unmeasured
/// last, then by stated wait), without the services and organisations that rejected this
/// client for this kind or are being asked now. Catalog data only.
#[utoipa::path(
    operation_id = "referral_alternatives",
    tag = "referrals",
    params(("rid" = uuid::Uuid, Path, description = "The referral id")),
    responses(
        (status = 200, description = "The alternatives", body = AlternativesView),
        (status = 404, description = "No such referral sent by the caller",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{rid}/alternatives")]
pub async fn alternatives(
    principal: Principal,
    state: web::Data<AppState>,
    rid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let (referral, suggestion) = state
        .routing
        .alternatives(referral_id(&rid)?, provider, state.clock.now())
        .await?;
    Ok(HttpResponse::Ok().json(AlternativesView {
        referral_id: referral.id.as_uuid(),
        suggestion: SuggestionView::from(&suggestion),
    }))
}
