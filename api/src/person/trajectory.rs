//! `GET /v1/me/trajectories/{id}`: one trajectory as the person may see it.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::person::PersonPrincipal;
use crate::error::ApiError;
use crate::person::dto::MyTrajectoryView;
use crate::person::{stand, view};
use crate::state::AppState;

/// Read my trajectory.
///
/// The phase and dates, who is involved, each referral with where it stands and what
/// comes next, the measured waiting times of the services proposed, planned meetings,
/// and whether the help after treatment is arranged. A naaste sees what the client chose.
#[utoipa::path(
    operation_id = "read_my_trajectory",
    tag = "me",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The trajectory", body = MyTrajectoryView),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a trajectory of this person",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[get("/me/trajectories/{id}")]
pub async fn trajectory(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let stand = stand(&state, &person, &id).await?;
    let file = state
        .persons
        .file(&stand.trajectory, &state.catalog, state.clock.now())
        .await?;
    Ok(HttpResponse::Ok().json(view::trajectory(&stand, &file)))
}
