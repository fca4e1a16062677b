//! `GET /v1/trajectories/{id}/referrals`: a trajectory's referrals, for its provider.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::referral::dto::{ProviderReferralView, ReferralList};
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// List a trajectory's referrals.
///
/// Every referral made for the trajectory, oldest first, as the referring provider sees
/// them: status, dates against the Wmo terms, the recipient's answer.
#[utoipa::path(
    operation_id = "list_trajectory_referrals",
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The referrals, oldest first", body = ReferralList),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/referrals")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let records = state
        .referrals
        .for_trajectory(trajectory_id(&id)?, provider, state.clock.now())
        .await?;
    Ok(HttpResponse::Ok().json(ReferralList {
        items: records.iter().map(ProviderReferralView::from).collect(),
    }))
}
