//! `POST /v1/webhook-subscriptions/{id}/test`: send a test event.

use actix_web::{HttpResponse, post, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::dto::webhook::QueuedMessage;
use crate::error::ApiError;
use crate::routes::webhooks::subscription_id;
use crate::state::AppState;

/// Send a test event.
///
/// Queues a `webhook.test` message; follow it in the deliveries.
#[utoipa::path(
    operation_id = "send_webhook_test",
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The subscription id")),
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
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let message = state
        .webhooks
        .send_test(subscription_id(&id)?, org, state.clock.now())
        .await?;
    Ok(HttpResponse::Accepted().json(QueuedMessage {
        message_id: message.as_uuid(),
        webhook_id: format!("msg_{}", message.as_uuid().simple()),
    }))
}
