//! `POST /v1/trajectories/{id}/transitions`: move a trajectory to another phase.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{TrajectoryMove, Write, WriteContext};

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::{Audit, CreatedSubject};
use crate::http::json_body::StrictJson;
use crate::http::{etag, idempotency, replay};
use crate::state::AppState;
use crate::trajectory::dto::{TrajectoryView, TransitionRequest};
use crate::trajectory::trajectory_id;

/// Move a trajectory.
///
/// The allowed moves: treatment → transition (needs `planned_end_on`); transition →
/// treatment (treatment extended); treatment or transition → social_support or closed
/// (needs an end reason); social_support → treatment (relapse, readmission);
/// social_support → closed (needs an outcome). `closed` is final.
#[utoipa::path(
    operation_id = "transition_trajectory",
    tag = "trajectories",
    request_body = TransitionRequest,
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]{1,9}"$"#, description = "The trajectory's current ETag"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response instead of failing on the new version."),
    ),
    responses(
        (status = 200, description = "Moved; the new state", body = TrajectoryView,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The state machine does not allow this move; `allowed` lists the moves that are",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is not the current version",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reason or date breaks a rule",
            body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/transitions")]
pub async fn transition(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let id = trajectory_id(&id)?;
    let if_match = etag::required_match(&req)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let now = state.clock.now();
    let command = body.into_command(now.date_naive())?;
    let outcome = state
        .trajectories
        .transition(
            TrajectoryMove {
                id,
                provider,
                if_match: &if_match,
                command: &command,
            },
            Write {
                context: WriteContext {
                    actor: &actor,
                    now,
                    audit: &audit.entry(StatusCode::OK, CreatedSubject::default()),
                    key: key.as_ref(),
                },
                respond: &|t| {
                    replay::stored(StatusCode::OK, &TrajectoryView::from(t), t.version, None)
                },
            },
        )
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
