//! `POST /v1/trajectories/{id}/consents/{cid}/withdraw`: the client withdraws consent.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_domain::{BoundedText, ConsentId};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::ConsentWithdrawal;

use crate::auth::{Principal, policy};
use crate::consent::dto::{ConsentView, WithdrawConsentRequest};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::OptionalJson;
use crate::http::{etag, idempotency, replay};
use crate::referral::dto::REASON_MAX;
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Withdraw consent.
///
/// Takes effect at once: recipients' views of the client's referrals to that organisation
/// stop showing personal data, and their feeds get a `consent_withdrawn` change.
#[utoipa::path(
    operation_id = "withdraw_consent",
    tag = "consents",
    request_body(content = Option<WithdrawConsentRequest>, description = "Optional; may be left out"),
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("cid" = uuid::Uuid, Path, description = "The consent id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]{1,9}"$"#, description = "The consent's current ETag"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "Withdrawn", body = ConsentView),
        (status = 404, description = "No such consent on a trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already withdrawn",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is empty or too long",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is not the current version",
            body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/consents/{cid}/withdraw")]
pub async fn withdraw(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    path: web::Path<(String, String)>,
    body: OptionalJson<WithdrawConsentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let (id, cid) = path.into_inner();
    let id = trajectory_id(&id)?;
    let cid: ConsentId = cid.parse().map_err(|_| ApiError::NotFound)?;
    let if_match = etag::required_match(&req)?;
    let key = idempotency::key_for(&req, principal.org, &body.0)?;
    let reason = body
        .0
        .reason
        .as_deref()
        .map(|r| BoundedText::parse("reason", r, REASON_MAX))
        .transpose()
        .map_err(|e| ApiError::Validation(e.to_string()))?;
    let now = state.clock.now();
    let parts = audit.prepare(actor, StatusCode::OK, key);
    let write = parts.context(now);
    let withdrawal = ConsentWithdrawal {
        trajectory_id: id,
        consent_id: cid,
        provider,
        if_match,
        reason,
    };
    let outcome = state
        .consents
        .withdraw_consent(withdrawal, write, &|consent| {
            replay::stored(
                StatusCode::OK,
                &ConsentView::new(consent, now.date_naive()),
                consent.version(),
                None,
            )
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
