//! `DELETE /v1/webhook-subscriptions/{id}`: stop deliveries to an endpoint.

use actix_web::{HttpResponse, delete, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::routes::webhooks::subscription_id;
use crate::state::AppState;

/// Delete a subscription.
#[utoipa::path(
    operation_id = "delete_webhook_subscription",
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The subscription id")),
    responses(
        (status = 204, description = "Deleted; nothing more is sent"),
        (status = 404, description = "No such subscription of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/webhook-subscriptions/{id}")]
pub async fn delete_subscription(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    state
        .webhooks
        .delete(subscription_id(&id)?, org, state.clock.now())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
