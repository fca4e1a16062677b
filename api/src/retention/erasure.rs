//! `POST /v1/trajectories/{id}/erasure`: remove a trajectory's personal details now.

use actix_web::{HttpResponse, post, web};
use herstelbrug_openapi::Problem;

use super::dto::ErasureView;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Erase a trajectory's personal details.
///
/// On a request for erasure (AVG art. 17): the client's reference, BSN hash and
/// ciphertext, names and contact details of the client, the referrer and the naasten, all
/// free text, identifiers other systems gave, the person's links, and the webhook
/// messages and stored answers that mention it go at once. What the law or the figures
/// need stays, each with its reason in the answer. Refused (409) under a legal hold.
/// Repeating it is harmless: `erased_now` is then false.
#[utoipa::path(
    operation_id = "erase_trajectory",
    tag = "trajectories",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "What was removed and what was kept, and why", body = ErasureView),
        (status = 404, description = "No such trajectory",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Under a legal hold: lift it first",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/erasure")]
pub async fn erase(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = trajectory_id(&id)?;
    let outcome = state
        .retention
        .erase_now(
            id.as_uuid(),
            &principal.subject.to_string(),
            state.clock.now(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(ErasureView::from(outcome)))
}
