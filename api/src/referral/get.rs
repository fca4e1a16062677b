//! `GET /v1/referrals/{rid}`: one referral, as the caller may see it.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::etag;
use crate::referral::dto::ReferralView;
use crate::referral::referral_id;
use crate::state::AppState;

/// Read a referral.
///
/// The requester sees the whole referral; the recipient a minimised view (see
/// `RecipientReferralView`). Anyone else gets 404.
#[utoipa::path(
    operation_id = "get_referral",
    tag = "referrals",
    params(
        ("rid" = uuid::Uuid, Path, description = "The referral id"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag the caller holds; 304 if still current"),
    ),
    responses(
        (status = 200, description = "The referral", body = ReferralView,
            headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
        (status = 404, description = "No such referral involving the caller",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{rid}")]
pub async fn get(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    rid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let record = state
        .referrals
        .get(referral_id(&rid)?, org, state.clock.now())
        .await?;
    Ok(etag::read_response(&req, record.referral.version, || {
        ReferralView::for_org(&record, org)
    }))
}
