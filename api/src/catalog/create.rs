//! `POST /v1/services`: an organisation adds one of its services to the catalog.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_domain::catalog::Measured;
use herstelbrug_domain::catalog::WaitingTimes;
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::catalog::dto::{ServiceRequest, ServiceView};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::identifier::dto::parse_set;
use crate::state::AppState;

/// A new service has measured nothing yet.
pub(super) const NOTHING_MEASURED: WaitingTimes = WaitingTimes {
    to_acceptance: Measured::InsufficientData,
    to_start: Measured::InsufficientData,
    total: Measured::InsufficientData,
};

/// Add a service.
///
/// The caller's organisation (from the token) owns it; only the owner changes it.
#[utoipa::path(
    operation_id = "create_service",
    tag = "catalog",
    request_body = ServiceRequest,
    params(
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 201, description = "Added", body = ServiceView,
            headers(("ETag" = String, description = "The service's version"))),
        (status = 422, description = "A value breaks a rule",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/services")]
pub async fn create(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    body: StrictJson<ServiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let owner = policy::referral_party(&principal)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let now = state.clock.now();
    let identifiers = parse_set(
        "identifiers",
        body.identifiers.as_deref().unwrap_or_default(),
    )?;
    let details = body.into_details(now.date_naive())?;
    let parts = audit.prepare(principal.actor(), StatusCode::CREATED, key);
    let write = parts.context(now);
    let outcome = state
        .catalog
        .create(owner, details, &identifiers, write, &|service| {
            replay::stored(
                StatusCode::CREATED,
                &ServiceView::new(service, &NOTHING_MEASURED),
                service.version,
                Some(format!("/v1/services/{}", service.id)),
            )
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
