//! `POST /v1/alerts/{id}/resolve`: resolve an alert by hand, with a reason.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_domain::BoundedText;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::Write;

use crate::auth::{Principal, policy};
use crate::continuity::alert_id;
use crate::continuity::dto::{AlertView, ResolveAlertRequest};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{etag, idempotency, replay};
use crate::state::AppState;

const REASON_MAX: usize = 500;

/// Resolve an alert by hand.
///
/// For when the follow-up was arranged outside Herstelbrug (a phone call, a letter): the
/// reason is kept with the alert and its history. Gap alerts also resolve by themselves when
/// the follow-up is in place; `If-Match` keeps two people from resolving on stale reads.
#[utoipa::path(
    operation_id = "resolve_alert",
    tag = "alerts",
    request_body = ResolveAlertRequest,
    params(
        ("id" = uuid::Uuid, Path, description = "The alert id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]{1,9}"$"#, description = "The alert's current ETag"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "Resolved", body = AlertView),
        (status = 404, description = "No such alert concerning the caller",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already resolved",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is missing or too long",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is not the current version",
            body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/alerts/{id}/resolve")]
pub async fn resolve(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<ResolveAlertRequest>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let id = alert_id(&id)?;
    let if_match = etag::required_match(&req)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let reason = BoundedText::parse("reason", &body.reason, REASON_MAX)
        .map_err(|e| ApiError::Validation(e.to_string()))?;
    let parts = audit.prepare(principal.actor(), StatusCode::OK, key);
    let write = parts.context(state.clock.now());
    let outcome = state
        .alerts
        .resolve(
            id,
            org,
            if_match,
            reason,
            Write {
                context: write,
                respond: &|alert| {
                    replay::stored(StatusCode::OK, &AlertView::from(alert), alert.version, None)
                },
            },
        )
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
