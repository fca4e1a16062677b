//! `PUT /v1/services/{id}`: the owner replaces its service's record (or retires it with
//! status `defunct`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, put, web};
use herstelbrug_openapi::Problem;

use super::service_id;
use crate::auth::{Principal, policy};
use crate::catalog::dto::{ServiceRequest, ServiceView};
use crate::identifier::dto::parse_set;
use herstelbrug_persistence::ServiceUpdate;

use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{etag, idempotency, replay};
use crate::state::AppState;

/// Replace a service's record.
///
/// Only the owner may; any other organisation gets 404. Retire a service with status
/// `defunct`. Capacity is posted apart (`POST /v1/services/{id}/capacity`) and does not
/// change the version.
#[utoipa::path(
    operation_id = "update_service",
    tag = "catalog",
    request_body = ServiceRequest,
    params(
        ("id" = uuid::Uuid, Path, description = "The service id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]{1,9}"$"#, description = "The service's current ETag"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "Replaced", body = ServiceView,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such service of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is not the current version",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value breaks a rule",
            body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/services/{id}")]
pub async fn update(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<ServiceRequest>,
) -> Result<HttpResponse, ApiError> {
    let owner = policy::referral_party(&principal)?;
    let id = service_id(&id)?;
    let if_match = etag::required_match(&req)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let now = state.clock.now();
    let identifiers = body
        .identifiers
        .as_deref()
        .map(|items| parse_set("identifiers", items))
        .transpose()?;
    let details = body.into_details(now.date_naive())?;
    // The measured waiting times do not move with the record: read them once, before.
    let waiting = state.catalog.get(id, now).await?.waiting;
    let change = ServiceUpdate {
        id,
        owner,
        if_match,
        details,
        identifiers,
    };
    let parts = audit.prepare(principal.actor(), StatusCode::OK, key);
    let write = parts.context(now);
    let outcome = state
        .catalog
        .update(change, write, &|service| {
            replay::stored(
                StatusCode::OK,
                &ServiceView::new(service, &waiting),
                service.version,
                None,
            )
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
