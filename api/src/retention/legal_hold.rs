//! `GET`, `PUT` and `DELETE /v1/trajectories/{id}/legal-hold`: keep a trajectory's data
//! beyond its term and out of erasure, for a named reason, until lifted.

use actix_web::{HttpResponse, delete, get, put, web};
use herstelbrug_domain::BoundedText;
use herstelbrug_openapi::Problem;

use super::dto::{LegalHoldRequest, LegalHoldView};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::http::json_body::StrictJson;
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Read a trajectory's legal hold.
///
/// Whether a legal hold keeps the trajectory's data, why and since when, and whether its
/// personal details were erased.
#[utoipa::path(
    operation_id = "get_legal_hold",
    tag = "trajectories",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The hold (or none) and the erasure (or none)", body = LegalHoldView),
        (status = 404, description = "No such trajectory",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/legal-hold")]
pub async fn read(
    _principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = trajectory_id(&id)?;
    let hold = state.retention.state(id.as_uuid()).await?;
    Ok(HttpResponse::Ok().json(LegalHoldView::from(hold)))
}

/// Place a legal hold on a trajectory.
///
/// While held, neither the retention job nor an erasure request removes anything of the
/// trajectory. Placing it again replaces the reason.
#[utoipa::path(
    operation_id = "place_legal_hold",
    tag = "trajectories",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    request_body = LegalHoldRequest,
    responses(
        (status = 200, description = "The hold as placed", body = LegalHoldView),
        (status = 404, description = "No such trajectory",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason` missing, empty or longer than 500 characters",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/trajectories/{id}/legal-hold")]
pub async fn place(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: StrictJson<LegalHoldRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = trajectory_id(&id)?;
    let reason = BoundedText::parse("reason", &body.0.reason, 500)
        .map_err(|e| ApiError::Validation(e.to_string()))?;
    let hold = state
        .retention
        .hold(
            id.as_uuid(),
            reason.as_str(),
            &principal.subject.to_string(),
            state.clock.now(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(LegalHoldView::from(hold)))
}

/// Lift a trajectory's legal hold.
///
/// From then on retention and erasure apply again. Lifting where none is held is fine.
#[utoipa::path(
    operation_id = "lift_legal_hold",
    tag = "trajectories",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The trajectory without a hold", body = LegalHoldView),
        (status = 404, description = "No such trajectory",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/trajectories/{id}/legal-hold")]
pub async fn lift(
    _principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = trajectory_id(&id)?;
    let hold = state.retention.release(id.as_uuid()).await?;
    Ok(HttpResponse::Ok().json(LegalHoldView::from(hold)))
}
