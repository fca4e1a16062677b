//! `POST /v1/trajectories/{id}/consents/{cid}/withdraw`: the client withdraws consent.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use herstelbrug_domain::{BoundedText, ConsentId};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::dto::consent::{ConsentView, WithdrawConsentRequest};
use crate::dto::referral::REASON_MAX;
use crate::error::ApiError;
use crate::http::access_log::{Audit, CreatedSubject};
use crate::http::extractors::OptionalJson;
use crate::routes::trajectories::trajectory_id;
use crate::state::AppState;

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
    ),
    responses(
        (status = 200, description = "Withdrawn", body = ConsentView),
        (status = 404, description = "No such consent on a trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already withdrawn",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The reason is empty or too long",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/consents/{cid}/withdraw")]
pub async fn withdraw(
    principal: Principal,
    state: web::Data<AppState>,
    audit: Audit,
    path: web::Path<(String, String)>,
    body: OptionalJson<WithdrawConsentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let (id, cid) = path.into_inner();
    let id = trajectory_id(&id)?;
    let cid: ConsentId = cid.parse().map_err(|_| ApiError::NotFound)?;
    let reason = body
        .0
        .reason
        .as_deref()
        .map(|r| BoundedText::parse("reason", r, REASON_MAX))
        .transpose()
        .map_err(|e| ApiError::Validation(e.to_string()))?;
    let now = state.clock.now();
    let consent = state
        .referrals
        .withdraw_consent(
            id,
            cid,
            provider,
            actor,
            reason,
            now,
            &audit.entry(StatusCode::OK, CreatedSubject::default()),
        )
        .await?;
    audit.committed();
    Ok(HttpResponse::Ok().json(ConsentView::new(&consent, now.date_naive())))
}
