//! `GET /v1/trajectories/{id}/events`: a trajectory's history.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::state::AppState;
use crate::trajectory::dto::EventList;
use crate::trajectory::trajectory_id;

/// Read a trajectory's history.
///
/// Every accepted change of the trajectory and of its referrals, oldest first, with who
/// made it for which organisation.
#[utoipa::path(
    operation_id = "get_trajectory_history",
    tag = "trajectories",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The history", body = EventList),
        (status = 404, description = "No such trajectory visible to the caller",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/events")]
pub async fn events(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let visibility = policy::trajectory_readers(&principal)?;
    let history = state
        .trajectories
        .history(trajectory_id(&id)?, visibility)
        .await?;
    Ok(HttpResponse::Ok().json(EventList::from(&history)))
}
