//! `GET /v1/trajectories/{id}/participants`: the client's team, current and former.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::state::AppState;
use crate::team::dto::TeamView;
use crate::trajectory::trajectory_id;

/// Read the team.
///
/// The professionals and naasten involved in the client's trajectory, those who left
/// included (with the day they left), so a recipient knows whom to call.
#[utoipa::path(
    operation_id = "list_participants",
    tag = "team",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The current participants and those who left", body = TeamView),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/participants")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let team = state.team.team(trajectory_id(&id)?, provider).await?;
    Ok(HttpResponse::Ok().json(TeamView::new(&team)))
}
