//! `GET /v1/trajectories/{id}/consents`: the consents recorded on a trajectory.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::consent::dto::{ConsentList, ConsentView};
use crate::error::ApiError;
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// List consents.
///
/// Every consent recorded on the trajectory, withdrawn ones included, oldest first, with
/// whether each is in force today. Referrals and offers to an organisation need one in force.
#[utoipa::path(
    operation_id = "list_consents",
    tag = "consents",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The consents, oldest first", body = ConsentList),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/consents")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let consents = state
        .consents
        .consents(trajectory_id(&id)?, provider)
        .await?;
    let today = state.clock.now().date_naive();
    Ok(HttpResponse::Ok().json(ConsentList {
        items: consents
            .iter()
            .map(|c| ConsentView::new(c, today))
            .collect(),
    }))
}
