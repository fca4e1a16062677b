//! `POST /v1/alerts/{id}/acknowledge`: someone has seen the alert and acts on it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::continuity::alert_id;
use crate::continuity::dto::AlertView;
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::{etag, idempotency, replay};
use crate::state::AppState;

/// Acknowledge an alert.
///
/// An acknowledged critical alert does not escalate. It still resolves by itself when its
/// condition clears.
#[utoipa::path(
    operation_id = "acknowledge_alert",
    tag = "alerts",
    params(
        ("id" = uuid::Uuid, Path, description = "The alert id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]{1,9}"$"#, description = "The alert's current ETag"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "Acknowledged", body = AlertView),
        (status = 404, description = "No such alert concerning the caller",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already acknowledged or resolved",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is not the current version",
            body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/alerts/{id}/acknowledge")]
pub async fn acknowledge(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let id = alert_id(&id)?;
    let if_match = etag::required_match(&req)?;
    let key = idempotency::key_for(&req, principal.org, &())?;
    let parts = audit.prepare(principal.actor(), StatusCode::OK, key);
    let write = parts.context(state.clock.now());
    let outcome = state
        .alerts
        .acknowledge(id, org, if_match, write, &|alert| {
            replay::stored(StatusCode::OK, &AlertView::from(alert), alert.version, None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
