//! `POST|GET /v1/trajectories/{id}/outcome-checks`: how the client is doing after closure.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::RecordCheck;

use crate::aftercare::dto::{CheckList, CheckView, RecordCheckRequest};
use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Record an outcome check.
///
/// When a trajectory closed with follow-up in place, checks fall due 30 and 90 days later
/// (configurable); the provider records each once: `stable`, `support_continuing`,
/// `relapse`, `lost_contact` or `declined_to_answer`. A check more than 14 days overdue
/// raises `outcome_check_overdue`, which recording it resolves.
#[utoipa::path(
    operation_id = "record_outcome_check",
    tag = "trajectories",
    request_body = RecordCheckRequest,
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 201, description = "Recorded", body = CheckView),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such check is owed, it was recorded already, or a date out of order",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/outcome-checks")]
pub async fn record(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<RecordCheckRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let now = state.clock.now();
    let record = RecordCheck {
        trajectory_id: trajectory_id(&id)?,
        provider,
        after_days: body.after_days,
        outcome: body.outcome,
        checked_on: body.checked_on.unwrap_or(now.date_naive()),
    };
    let parts = audit.prepare(actor, StatusCode::CREATED, key);
    let outcome = state
        .aftercare
        .record(record, parts.context(now), &|c| {
            replay::stored(StatusCode::CREATED, &CheckView::from(c), 1, None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}

/// Read the outcome checks a trajectory owes.
///
/// The checks due 30 and 90 days (configurable) after a closure with follow-up in place,
/// oldest first: when each falls due, and the outcome once recorded (`null` until then).
#[utoipa::path(
    operation_id = "list_outcome_checks",
    tag = "trajectories",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The checks with their due dates and outcomes", body = CheckList),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/outcome-checks")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let checks = state
        .aftercare
        .checks(trajectory_id(&id)?, provider)
        .await?;
    Ok(HttpResponse::Ok().json(CheckList {
        items: checks.iter().map(CheckView::from).collect(),
    }))
}
