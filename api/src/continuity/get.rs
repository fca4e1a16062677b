//! `GET /v1/alerts/{id}`: one alert.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::continuity::alert_id;
use crate::continuity::dto::AlertView;
use crate::error::ApiError;
use crate::http::{access_log, etag};
use crate::state::AppState;
use actix_web::http::header::ETAG;

/// Read an alert.
///
/// An unresolved gap alert (`treatment_ended_without_followup`, `dropout_without_outreach`,
/// `end_approaching_without_followup`, `support_gap`, `offer_expired`) carries
/// `suggestions`: the services that could take the client now, so the reader can refer
/// or offer in one step.
#[utoipa::path(
    operation_id = "get_alert",
    tag = "alerts",
    params(
        ("id" = uuid::Uuid, Path, description = "The alert id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the alert as last read"),
    ),
    responses(
        (status = 200, description = "The alert", body = AlertView,
            headers(("ETag" = String, description = "The alert's version, for If-Match"))),
        (status = 304, description = "Unchanged since the ETag named in If-None-Match"),
        (status = 404, description = "No such alert concerning the caller",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/alerts/{id}")]
pub async fn get(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let reader = policy::alert_reader(&principal)?;
    let now = state.clock.now();
    let alert = state.alerts.get(alert_id(&id)?, reader).await?;
    access_log::disclosed(&req, [alert.trajectory_id.as_uuid()]);
    // Unchanged: answered before the suggestions are looked up.
    if etag::not_modified(&req, alert.version) {
        return Ok(etag::unchanged(&etag::etag(alert.version)));
    }
    let suggestions = state.routing.for_alert(&alert, now).await?;
    let residents = state.alerts.residents(principal.org, [&alert]).await?;
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, etag::etag(alert.version)))
        .json(
            AlertView::from(&alert)
                .seen_by(Some(principal.org))
                .with_resident(residents.get(&alert.trajectory_id))
                .with_suggestions(&suggestions),
        ))
}
