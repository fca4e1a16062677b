//! `POST /v1/trajectories/{id}/offers`: offer the client to several candidates at once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{Write, WriteContext};

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::{Audit, CreatedSubject};
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::routing::dto::{CreateOfferRequest, OfferView};
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Offer the client to 2 to 5 candidates.
///
/// Each candidate gets its own referral in the offer (consent needed for each, as for a
/// single referral). The first candidate to accept is selected; in the same transaction
/// every other open candidate is cancelled with reason `not_selected` and hears it in its
/// inbox and webhooks. A second acceptance gets 409 `offer-closed`. An offer nobody
/// accepts within 10 working days (configurable) expires: its open candidates are
/// cancelled (`offer_expired`) and an `offer_expired` warning alert shows the services
/// that could take the client instead.
#[utoipa::path(
    operation_id = "create_offer",
    tag = "referrals",
    request_body = CreateOfferRequest,
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response instead of offering twice."),
    ),
    responses(
        (status = 201, description = "Offered", body = OfferView, headers(
            ("ETag" = String, description = "The offer's version"),
            ("Location" = String, description = "The offer's URL"))),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No valid consent for a candidate, an identical open referral, or a closed trajectory",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value breaks a rule (fewer than 2 or more than 5 candidates, one named twice)",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/offers")]
pub async fn create_offer(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<CreateOfferRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let trajectory = trajectory_id(&id)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let offer = body.parse(trajectory, provider, state.offer_policy)?;
    let now = state.clock.now();
    let entry = audit.entry(
        StatusCode::CREATED,
        CreatedSubject {
            trajectory_id: Some(trajectory.as_uuid()),
            referral_id: None,
        },
    );
    let outcome = state
        .offers
        .create_offer(
            offer,
            Write {
                context: WriteContext {
                    actor: &actor,
                    now,
                    audit: &entry,
                    key: key.as_ref(),
                },
                respond: &|record| {
                    replay::stored(
                        StatusCode::CREATED,
                        &OfferView::from(record),
                        record.offer.version,
                        Some(format!("/v1/offers/{}", record.offer.id)),
                    )
                },
            },
        )
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
