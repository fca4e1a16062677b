//! `POST /v1/trajectories/{id}/consents`: record the client's consent to share.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::consent::dto::{ConsentView, CreateConsentRequest};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Record consent.
///
/// The client's explicit consent to share with one organisation for a purpose, recorded by
/// the caller. Needed before a referral to any organisation other than the treating provider.
#[utoipa::path(
    operation_id = "record_consent",
    tag = "consents",
    request_body = CreateConsentRequest,
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 201, description = "Recorded", body = ConsentView),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value breaks a rule",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/consents")]
pub async fn create(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<CreateConsentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let id = trajectory_id(&id)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let now = state.clock.now();
    let grant = body.into_grant(now.date_naive())?;
    let parts = audit.prepare(actor, StatusCode::CREATED, key);
    let write = parts.context(now);
    let outcome = state
        .consents
        .record_consent(id, provider, grant, write, &|consent| {
            replay::stored(
                StatusCode::CREATED,
                &ConsentView::new(consent, now.date_naive()),
                consent.version(),
                Some(format!("/v1/trajectories/{id}/consents/{}", consent.id)),
            )
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
