//! `GET`/`PUT /v1/services/{id}/identifiers`: the owner's identifiers of a service.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use herstelbrug_domain::IdentifiedKind;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::IdentifiedObject;

use super::{Replacement, object};
use crate::auth::{Principal, policy};
use crate::catalog::service_id;
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::identifier::dto::IdentifierList;
use crate::state::AppState;

/// Read a service's identifiers.
///
/// The identifiers the owner gave the service (its own registry's id, a FHIR
/// HealthcareService id), by system then value. Only the owner reads them.
#[utoipa::path(
    operation_id = "get_service_identifiers",
    tag = "catalog",
    params(("id" = uuid::Uuid, Path, description = "The service id")),
    responses(
        (status = 200, description = "The owner's identifiers", body = IdentifierList),
        (status = 404, description = "No such service of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/services/{id}/identifiers")]
pub async fn read(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let object = owned(&principal, &state, &id).await?;
    super::read(&state, object).await
}

/// Replace a service's identifiers.
///
/// The list replaces the owner's identifiers of the service (an empty list removes them;
/// the record's version does not move). One the owner already gave another service is
/// 409 and nothing changes. Find the service again with
/// `GET /v1/services?identifier=system|value`.
#[utoipa::path(
    operation_id = "replace_service_identifiers",
    tag = "catalog",
    request_body = IdentifierList,
    params(
        ("id" = uuid::Uuid, Path, description = "The service id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "The identifiers now", body = IdentifierList),
        (status = 404, description = "No such service of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another service of the owner has one of them",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An identifier is malformed, listed twice, or more than 20",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/services/{id}/identifiers")]
pub async fn replace(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<IdentifierList>,
) -> Result<HttpResponse, ApiError> {
    let object = owned(&principal, &state, &id).await?;
    let replacement = Replacement {
        actor: principal.actor(),
        req: &req,
        audit,
        body: body.into_inner(),
    };
    super::replace(&state, object, replacement).await
}

/// The service as its owner's identified object; 404 unless the caller owns it.
async fn owned(
    principal: &Principal,
    state: &AppState,
    id: &str,
) -> Result<IdentifiedObject, ApiError> {
    let owner = policy::referral_party(principal)?;
    let service = state.catalog.owned(service_id(id)?, owner).await?;
    Ok(object(owner, IdentifiedKind::Service, service.id.as_uuid()))
}
