//! `POST /v1/webhook-subscriptions/{id}/deliveries/{did}/replay`: send a dead letter again.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_domain::MessageId;
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::{idempotency, replay};
use crate::notification::subscription_id;
use crate::state::AppState;

/// Replay a dead letter.
///
/// `did` is the message id of a dead-lettered delivery. It is sent again with the same
/// `webhook-id`, on a fresh retry schedule.
#[utoipa::path(
    operation_id = "replay_webhook_delivery",
    tag = "webhooks",
    params(
        ("id" = uuid::Uuid, Path, description = "The subscription id"),
        ("did" = uuid::Uuid, Path, description = "The dead message's id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 202, description = "Queued again"),
        (status = 404, description = "No such dead message of the caller's subscription",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-subscriptions/{id}/deliveries/{did}/replay")]
pub async fn replay_delivery(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let (id, did) = path.into_inner();
    let id = subscription_id(&id)?;
    let message: MessageId = did.parse().map_err(|_| ApiError::NotFound)?;
    let key = idempotency::key_for(&req, principal.org, &())?;
    let parts = audit.prepare(principal.actor(), StatusCode::ACCEPTED, key);
    let write = parts.context(state.clock.now());
    let outcome = state
        .webhooks
        .replay(id, message, org, write, &|()| {
            replay::stored_plain::<()>(StatusCode::ACCEPTED, None, None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
