//! `POST /v1/trajectories/{id}/participants`: someone joins the client's team.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::state::AppState;
use crate::team::dto::{CreateParticipantRequest, ParticipantView};
use crate::trajectory::trajectory_id;

/// Add a participant.
///
/// A professional in a role at an organisation (regiebehandelaar, casemanager,
/// ervaringsdeskundige, wijkteam, huisarts), or a naaste with a relation and the client's
/// consent to involve them (`consent`, naming the organisations besides the treating
/// provider that may see them).
#[utoipa::path(
    operation_id = "add_participant",
    tag = "team",
    request_body = CreateParticipantRequest,
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 201, description = "Added", body = ParticipantView,
            headers(("ETag" = String, description = "The participant's version"))),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value breaks a rule (a naaste without consent, a professional without organisation)",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/participants")]
pub async fn join(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<CreateParticipantRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let trajectory = trajectory_id(&id)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let now = state.clock.now();
    let new = body.parse(now.date_naive())?;
    let parts = audit.prepare(actor, StatusCode::CREATED, key);
    let outcome = state
        .team
        .join(trajectory, provider, new, parts.context(now), &|p| {
            replay::stored(
                StatusCode::CREATED,
                &ParticipantView::from(p),
                p.version,
                None,
            )
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
