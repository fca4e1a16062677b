//! `POST /v1/webhook-subscriptions`: subscribe an endpoint.

use actix_web::{HttpResponse, post, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::delivery::{signature, ssrf};
use crate::dto::webhook::{CreateSubscriptionRequest, SubscriptionView, SubscriptionWithSecret};
use crate::error::ApiError;
use crate::state::AppState;

/// Subscribe to events.
///
/// Every event of the chosen types that concerns the caller's organisation is POSTed to
/// the URL, at least once, signed (Standard Webhooks), in order per trajectory. Payloads
/// are thin: fetch the details through the API. The URL is checked against internal
/// addresses now and at every connection.
#[utoipa::path(
    operation_id = "create_webhook_subscription",
    tag = "webhooks",
    request_body = CreateSubscriptionRequest,
    responses(
        (status = 201, description = "Subscribed; the secret is shown this once", body = SubscriptionWithSecret),
        (status = 422, description = "The URL is not https, resolves to an internal address, or no event type was chosen",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/webhook-subscriptions")]
pub async fn create_subscription(
    principal: Principal,
    state: web::Data<AppState>,
    body: web::Json<CreateSubscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let body = body.into_inner();
    let allow_loopback = state.webhook_settings.allow_http_loopback;
    if body.url.len() > 2048 {
        return Err(ApiError::Validation(
            "`url` is longer than 2048 characters".to_owned(),
        ));
    }
    let url = ssrf::check(&body.url, allow_loopback)
        .map_err(|e| ApiError::Validation(format!("url: {e}")))?;
    ssrf::check_resolved(&url, allow_loopback)
        .await
        .map_err(|e| ApiError::Validation(format!("url: {e}")))?;
    let mut types = body.event_types;
    types.sort();
    types.dedup();
    if types.is_empty() {
        return Err(ApiError::Validation(
            "choose at least one event type".to_owned(),
        ));
    }
    let secret = signature::new_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
    let subscription = state
        .webhooks
        .create(
            org,
            url.to_string(),
            &types,
            secret.clone(),
            state.clock.now(),
        )
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/v1/webhook-subscriptions/{}", subscription.id),
        ))
        .json(SubscriptionWithSecret {
            subscription: SubscriptionView::from(&subscription),
            secret,
        }))
}
