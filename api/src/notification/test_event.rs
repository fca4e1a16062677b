//! `POST /v1/webhook-subscriptions/{id}/test`: send a test event.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::{idempotency, replay};
use crate::notification::dto::QueuedMessage;
use crate::notification::subscription_id;
use crate::state::AppState;

/// Send a test event.
///
/// Queues a `webhook.test` message; follow it in the deliveries.
#[utoipa::path(
    operation_id = "send_webhook_test",
    tag = "webhooks",
    params(
        ("id" = uuid::Uuid, Path, description = "The subscription id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 202, description = "Queued", body = QueuedMessage),
        (status = 404, description = "No such subscription of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-subscriptions/{id}/test")]
pub async fn send_test_event(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let id = subscription_id(&id)?;
    let key = idempotency::key_for(&req, principal.org, &())?;
    let parts = audit.prepare(principal.actor(), StatusCode::ACCEPTED, key);
    let write = parts.context(state.clock.now());
    let outcome = state
        .webhooks
        .send_test(id, org, write, &|message| {
            let body = QueuedMessage {
                message_id: message.as_uuid(),
                webhook_id: format!("msg_{}", message.as_uuid().simple()),
            };
            replay::stored_plain(StatusCode::ACCEPTED, Some(&body), None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
