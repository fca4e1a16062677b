//! `GET /v1/trajectories/{id}`: a trajectory's current state.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::etag;
use crate::state::AppState;
use crate::trajectory::dto::TrajectoryView;
use crate::trajectory::trajectory_id;

/// Read a trajectory.
///
/// The trajectory as it is now: phase, dates, end reason and closure outcome. The `ETag`
/// is what a transition needs in `If-Match`; send it back in `If-None-Match` to get 304
/// while nothing changed. Only the treating provider (and administrators) can read it.
#[utoipa::path(
    operation_id = "get_trajectory",
    tag = "trajectories",
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag the caller holds; 304 if still current"),
    ),
    responses(
        (status = 200, description = "The trajectory", body = TrajectoryView,
            headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
        (status = 404, description = "No such trajectory visible to the caller",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}", guard = "not_a_named_route")]
pub async fn get(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let visibility = policy::trajectory_readers(&principal)?;
    let trajectory = state
        .trajectories
        .get(trajectory_id(&id)?, visibility)
        .await?;
    Ok(etag::read_response(&req, trajectory.version, || {
        TrajectoryView::from(&trajectory)
    }))
}

/// `GET /v1/trajectories/search` is the search route with the wrong method (405), not
/// a trajectory called "search".
fn not_a_named_route(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    !ctx.head()
        .uri
        .path()
        .trim_end_matches('/')
        .ends_with("/search")
}
