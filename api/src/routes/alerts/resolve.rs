//! `POST /v1/alerts/{id}/resolve`: resolve an alert by hand, with a reason.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use herstelbrug_domain::BoundedText;
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::dto::alert::{AlertView, ResolveAlertRequest};
use crate::error::ApiError;
use crate::http::access_log::{Audit, CreatedSubject};
use crate::routes::alerts::alert_id;
use crate::state::AppState;

const REASON_MAX: usize = 500;

/// Resolve an alert by hand.
#[utoipa::path(
    operation_id = "resolve_alert",
    tag = "alerts",
    request_body = ResolveAlertRequest,
    params(("id" = uuid::Uuid, Path, description = "The alert id")),
    responses(
        (status = 200, description = "Resolved", body = AlertView),
        (status = 404, description = "No such alert concerning the caller",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already resolved",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is missing or too long",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/alerts/{id}/resolve")]
pub async fn resolve(
    principal: Principal,
    state: web::Data<AppState>,
    audit: Audit,
    id: web::Path<String>,
    body: web::Json<ResolveAlertRequest>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let id = alert_id(&id)?;
    let reason = BoundedText::parse("reason", &body.reason, REASON_MAX)
        .map_err(|e| ApiError::Validation(e.to_string()))?;
    let alert = state
        .alerts
        .resolve(
            id,
            org,
            principal.actor(),
            reason,
            state.clock.now(),
            &audit.entry(StatusCode::OK, CreatedSubject::default()),
        )
        .await?;
    audit.committed();
    Ok(HttpResponse::Ok().json(AlertView::from(&alert)))
}
