//! `POST /v1/services/{id}/capacity`: the owner posts how much room there is now.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::Write;

use super::service_id;
use crate::auth::{Principal, policy};
use crate::catalog::dto::{CapacityRequest, ServiceView};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::state::AppState;

/// Post capacity.
///
/// One cheap call a provider's system can make every few minutes: counted places (`unit`,
/// `available`, `maximum`) or the answer `yes` / `no` / `waitlist`, and optionally the
/// stated wait. No If-Match: the last post wins, and the record's version is unchanged.
#[utoipa::path(
    operation_id = "post_service_capacity",
    tag = "catalog",
    request_body = CapacityRequest,
    params(
        ("id" = uuid::Uuid, Path, description = "The service id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "Posted; the service as it is now", body = ServiceView),
        (status = 404, description = "No such service of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Capacity breaks a rule (available above maximum, or both forms)",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/services/{id}/capacity")]
pub async fn capacity(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<CapacityRequest>,
) -> Result<HttpResponse, ApiError> {
    let owner = policy::referral_party(&principal)?;
    let id = service_id(&id)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let now = state.clock.now();
    let capacity = body.capacity(now)?;
    if body.stated_wait_days.is_some_and(|d| d > 3650) {
        return Err(ApiError::Validation(
            "stated_wait_days: at most 3650 days".to_owned(),
        ));
    }
    // The measured waiting times do not move with the record: read them once, before.
    let waiting = state.catalog.get(id, now).await?.waiting;
    let parts = audit.prepare(principal.actor(), StatusCode::OK, key);
    let write = parts.context(now);
    let outcome = state
        .catalog
        .set_capacity(
            id,
            owner,
            capacity,
            body.stated_wait_days,
            Write {
                context: write,
                respond: &|service| {
                    replay::stored(
                        StatusCode::OK,
                        &ServiceView::new(service, &waiting),
                        service.version,
                        None,
                    )
                },
            },
        )
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
