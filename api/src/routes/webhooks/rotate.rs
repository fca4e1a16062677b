//! `POST /v1/webhook-subscriptions/{id}/rotate-secret`: a new signing secret.

use actix_web::{HttpResponse, post, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::delivery::signature;
use crate::dto::webhook::{SubscriptionView, SubscriptionWithSecret};
use crate::error::ApiError;
use crate::routes::webhooks::subscription_id;
use crate::state::AppState;

/// Rotate the secret.
///
/// The new secret signs from now on; the old one also signs (a second signature in the
/// header) until `previous_secret_valid_until`, so receivers can switch without losing
/// a delivery.
#[utoipa::path(
    operation_id = "rotate_webhook_secret",
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The subscription id")),
    responses(
        (status = 200, description = "Rotated; the new secret is shown this once", body = SubscriptionWithSecret),
        (status = 404, description = "No such subscription of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-subscriptions/{id}/rotate-secret")]
pub async fn rotate_secret(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let secret = signature::new_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
    let now = state.clock.now();
    let subscription = state
        .webhooks
        .rotate(
            subscription_id(&id)?,
            org,
            secret.clone(),
            now + state.webhook_settings.secret_overlap,
            now,
        )
        .await?;
    Ok(HttpResponse::Ok().json(SubscriptionWithSecret {
        subscription: SubscriptionView::from(&subscription),
        secret,
    }))
}
