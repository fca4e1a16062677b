//! `POST /v1/webhook-subscriptions`: subscribe an endpoint.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::NewSubscription;

use crate::auth::{Principal, policy};
use crate::delivery::{signature, ssrf};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::notification::dto::{
    CreateSubscriptionRequest, SubscriptionView, SubscriptionWithSecret,
};
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
    params(
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
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
    req: HttpRequest,
    audit: Audit,
    body: StrictJson<CreateSubscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
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
    let parts = audit.prepare(principal.actor(), StatusCode::CREATED, key);
    let write = parts.context(state.clock.now());
    let url = url.to_string();
    let new = NewSubscription {
        url: &url,
        event_types: &types,
        secret: &secret,
    };
    let outcome = state
        .webhooks
        .create(org, new, write, &|subscription| {
            let body = SubscriptionWithSecret {
                subscription: SubscriptionView::from(subscription),
                secret: secret.clone(),
            };
            let location = format!("/v1/webhook-subscriptions/{}", subscription.id);
            replay::stored_plain(StatusCode::CREATED, Some(&body), Some(location))
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
