//! `GET`/`PUT /v1/referrals/{rid}/identifiers`: each party's own identifiers of a referral.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use herstelbrug_domain::IdentifiedKind;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::IdentifiedObject;

use super::{Replacement, object};
use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::identifier::dto::IdentifierList;
use crate::referral::referral_id;
use crate::state::AppState;

/// Read a referral's identifiers.
///
/// The identifiers the caller's organisation gave the referral: the requester's (a FHIR
/// Task id) or the recipient's (an iWmo toewijzing number), never the other party's.
#[utoipa::path(
    operation_id = "get_referral_identifiers",
    tag = "referrals",
    params(("rid" = uuid::Uuid, Path, description = "The referral id")),
    responses(
        (status = 200, description = "The caller's identifiers", body = IdentifierList),
        (status = 404, description = "No such referral the caller takes part in",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{rid}/identifiers")]
pub async fn read(
    principal: Principal,
    state: web::Data<AppState>,
    rid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let object = taking_part(&principal, &state, &rid).await?;
    super::read(&state, object).await
}

/// Replace a referral's identifiers.
///
/// The list replaces the caller's organisation's identifiers of the referral (an empty
/// list removes them); the other party's stay as they are. One the organisation already
/// gave another referral is 409 and nothing changes. Find the referral again with
/// `GET /v1/referrals?identifier=system|value`.
#[utoipa::path(
    operation_id = "replace_referral_identifiers",
    tag = "referrals",
    request_body = IdentifierList,
    params(
        ("rid" = uuid::Uuid, Path, description = "The referral id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "The identifiers now", body = IdentifierList),
        (status = 404, description = "No such referral the caller takes part in",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another referral of the organisation has one of them",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An identifier is malformed, listed twice, or more than 20",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/referrals/{rid}/identifiers")]
pub async fn replace(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    rid: web::Path<String>,
    body: StrictJson<IdentifierList>,
) -> Result<HttpResponse, ApiError> {
    let object = taking_part(&principal, &state, &rid).await?;
    let replacement = Replacement {
        actor: principal.actor(),
        req: &req,
        audit,
        body: body.into_inner(),
    };
    super::replace(&state, object, replacement).await
}

/// The referral as the caller's organisation's identified object; 404 unless the
/// organisation takes part in it.
async fn taking_part(
    principal: &Principal,
    state: &AppState,
    rid: &str,
) -> Result<IdentifiedObject, ApiError> {
    let org = policy::referral_party(principal)?;
    let record = state
        .referrals
        .get(referral_id(rid)?, org, state.clock.now())
        .await?;
    Ok(object(
        org,
        IdentifiedKind::Referral,
        record.referral.id.as_uuid(),
    ))
}
