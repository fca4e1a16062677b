//! `GET`/`PUT /v1/trajectories/{id}/identifiers`: the treating provider's identifiers.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use herstelbrug_domain::{Actor, IdentifiedKind, OrgId};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{IdentifiedObject, Visibility};

use super::{Replacement, object};
use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::identifier::dto::IdentifierList;
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Read a trajectory's identifiers.
///
/// The identifiers the treating provider gave the trajectory (its EHR's episode id, a
/// FHIR EpisodeOfCare id), by system then value.
#[utoipa::path(
    operation_id = "get_trajectory_identifiers",
    tag = "trajectories",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The provider's identifiers", body = IdentifierList),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/identifiers")]
pub async fn read(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (object, _) = own(&principal, &state, &id).await?;
    super::read(&state, object).await
}

/// Replace a trajectory's identifiers.
///
/// The list replaces the provider's identifiers of the trajectory (an empty list removes
/// them). One the provider already gave another trajectory is 409 and nothing changes.
/// Find the trajectory again with `GET /v1/trajectories?identifier=system|value`.
#[utoipa::path(
    operation_id = "replace_trajectory_identifiers",
    tag = "trajectories",
    request_body = IdentifierList,
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "The identifiers now", body = IdentifierList),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another trajectory of the provider has one of them",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An identifier is malformed, listed twice, or more than 20",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/trajectories/{id}/identifiers")]
pub async fn replace(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<IdentifierList>,
) -> Result<HttpResponse, ApiError> {
    let (object, actor) = own(&principal, &state, &id).await?;
    let replacement = Replacement {
        actor,
        req: &req,
        audit,
        body: body.into_inner(),
    };
    super::replace(&state, object, replacement).await
}

/// The trajectory as the provider's identified object, and who acts; 404 unless it is the
/// caller's own.
async fn own(
    principal: &Principal,
    state: &AppState,
    id: &str,
) -> Result<(IdentifiedObject, Actor), ApiError> {
    let (provider, actor) = policy::trajectory_writer(principal)?;
    let trajectory = state
        .trajectories
        .get(trajectory_id(id)?, Visibility::Provider(provider))
        .await?;
    let object = object(
        OrgId::Agb(provider),
        IdentifiedKind::Trajectory,
        trajectory.id.as_uuid(),
    );
    Ok((object, actor))
}
