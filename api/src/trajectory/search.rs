//! `POST /v1/trajectories/search`: the caller's trajectories of a client, found by BSN.

use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log;
use crate::http::json_body::StrictJson;
use crate::state::AppState;
use crate::trajectory::dto::{BsnSearchRequest, TrajectoryList, TrajectoryView};

/// Find trajectories by BSN.
///
/// The number goes in the body, never in a URL; it is matched by its keyed hash and never
/// returned or logged. Only the caller's own trajectories are searched.
#[utoipa::path(
    operation_id = "search_trajectories_by_bsn",
    tag = "trajectories",
    request_body = BsnSearchRequest,
    responses(
        (status = 200, description = "The matching trajectories", body = TrajectoryList),
        (status = 422, description = "Not a BSN (9 digits passing the 11-proef); the number is not repeated",
            body = herstelbrug_openapi::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/search")]
pub async fn search(
    principal: Principal,
    state: web::Data<AppState>,
    body: StrictJson<BsnSearchRequest>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let visibility = policy::trajectory_readers(&principal)?;
    let bsn = body.bsn.parse()?;
    let found = state
        .trajectories
        .find_by_bsn(&state.bsn.matcher(&bsn), visibility)
        .await?;
    access_log::disclosed(&req, found.iter().map(|t| t.id.as_uuid()));
    Ok(HttpResponse::Ok().json(TrajectoryList {
        items: found.iter().map(TrajectoryView::from).collect(),
        next_cursor: None,
    }))
}
