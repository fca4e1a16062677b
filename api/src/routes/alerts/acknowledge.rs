//! `POST /v1/alerts/{id}/acknowledge`: someone has seen the alert and acts on it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::dto::alert::AlertView;
use crate::error::ApiError;
use crate::http::access_log::{Audit, CreatedSubject};
use crate::routes::alerts::alert_id;
use crate::state::AppState;

/// Acknowledge an alert.
///
/// An acknowledged critical alert does not escalate. It still resolves by itself when its
/// condition clears.
#[utoipa::path(
    operation_id = "acknowledge_alert",
    tag = "alerts",
    params(("id" = uuid::Uuid, Path, description = "The alert id")),
    responses(
        (status = 200, description = "Acknowledged", body = AlertView),
        (status = 404, description = "No such alert concerning the caller",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already acknowledged or resolved",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/alerts/{id}/acknowledge")]
pub async fn acknowledge(
    principal: Principal,
    state: web::Data<AppState>,
    audit: Audit,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let alert = state
        .alerts
        .acknowledge(
            alert_id(&id)?,
            org,
            principal.actor(),
            state.clock.now(),
            &audit.entry(StatusCode::OK, CreatedSubject::default()),
        )
        .await?;
    audit.committed();
    Ok(HttpResponse::Ok().json(AlertView::from(&alert)))
}
