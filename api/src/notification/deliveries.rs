//! `GET /v1/webhook-subscriptions/{id}/deliveries`: what was sent, and what came back.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::notification::dto::{AttemptList, AttemptView};
use crate::notification::subscription_id;
use crate::state::AppState;

const LIMIT: u64 = 200;

/// List delivery attempts.
///
/// The latest 200 attempts, newest first, with the receiver's status code or the error,
/// and whether the message is delivered, pending a retry, or dead (replayable).
#[utoipa::path(
    operation_id = "list_webhook_deliveries",
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The subscription id")),
    responses(
        (status = 200, description = "The attempts", body = AttemptList),
        (status = 404, description = "No such subscription of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/webhook-subscriptions/{id}/deliveries")]
pub async fn list_deliveries(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let attempts = state
        .webhooks
        .attempts(subscription_id(&id)?, org, LIMIT)
        .await?;
    Ok(HttpResponse::Ok().json(AttemptList {
        items: attempts.iter().map(AttemptView::from).collect(),
    }))
}
