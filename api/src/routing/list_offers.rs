//! `GET /v1/trajectories/{id}/offers`: a trajectory's offers with their candidates.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::routing::dto::{OfferList, OfferView};
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// List a trajectory's offers.
///
/// Every offer made for the trajectory, newest first, with each candidate's referral and
/// status: which candidate accepted, which were cancelled as not selected, which expired.
#[utoipa::path(
    operation_id = "list_offers",
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The offers, oldest first", body = OfferList),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/offers")]
pub async fn list_offers(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let records = state
        .offers
        .offers_for_trajectory(trajectory_id(&id)?, provider, state.clock.now())
        .await?;
    Ok(HttpResponse::Ok().json(OfferList {
        items: records.iter().map(OfferView::from).collect(),
    }))
}
