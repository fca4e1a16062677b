//! `POST /v1/trajectories/{id}/participants/{pid}/leave`: someone leaves the team.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::Leave;

use super::participant_id;
use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::OptionalJson;
use crate::http::{etag, idempotency, replay};
use crate::state::AppState;
use crate::team::dto::{LeaveRequest, ParticipantView};
use crate::trajectory::trajectory_id;

/// End a participant's part.
///
/// The participant stays in the team's history with the day they left (`left_on`,
/// default today); they no longer count as involved. Needs `If-Match` with the
/// participant's `ETag`.
#[utoipa::path(
    operation_id = "leave_participant",
    tag = "team",
    request_body(content = Option<LeaveRequest>, description = "Optional; may be left out"),
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("pid" = uuid::Uuid, Path, description = "The participant id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]{1,9}"$"#, description = "The participant's current ETag"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "Left", body = ParticipantView),
        (status = 404, description = "No such participant on a trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is not the current version",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Left already, or a date out of order",
            body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/participants/{pid}/leave")]
pub async fn leave(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    path: web::Path<(String, String)>,
    body: OptionalJson<LeaveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let (id, pid) = path.into_inner();
    let leave = Leave {
        trajectory_id: trajectory_id(&id)?,
        provider,
        participant: participant_id(&pid)?,
        if_match: etag::required_match(&req)?,
        left_on: body.0.left_on.unwrap_or(state.clock.now().date_naive()),
    };
    let key = idempotency::key_for(&req, principal.org, &body.0)?;
    let now = state.clock.now();
    let parts = audit.prepare(actor, StatusCode::OK, key);
    let outcome = state
        .team
        .leave(leave, parts.context(now), &|p| {
            replay::stored(StatusCode::OK, &ParticipantView::from(p), p.version, None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
