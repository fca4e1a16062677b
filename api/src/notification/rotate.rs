//! `POST /v1/webhook-subscriptions/{id}/rotate-secret`: a new signing secret.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::Rotation;

use crate::auth::{Principal, policy};
use crate::delivery::signature;
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::{idempotency, replay};
use crate::notification::dto::{SubscriptionView, SubscriptionWithSecret};
use crate::notification::subscription_id;
use crate::state::AppState;

/// Rotate the secret.
///
/// The new secret signs from now on; the old one also signs (a second signature in the
/// header) until `previous_secret_valid_until`, so receivers can switch without losing
/// a delivery.
#[utoipa::path(
    operation_id = "rotate_webhook_secret",
    tag = "webhooks",
    params(
        ("id" = uuid::Uuid, Path, description = "The subscription id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
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
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let id = subscription_id(&id)?;
    let key = idempotency::key_for(&req, principal.org, &())?;
    let parts = audit.prepare(principal.actor(), StatusCode::OK, key);
    let write = parts.context(state.clock.now());
    let secret = signature::new_secret().map_err(|e| ApiError::Internal(e.to_string()))?;
    let rotation = Rotation {
        secret: &secret,
        overlap_until: write.now + state.webhook_settings.secret_overlap,
    };
    let outcome = state
        .webhooks
        .rotate(id, org, rotation, write, &|subscription| {
            let body = SubscriptionWithSecret {
                subscription: SubscriptionView::from(subscription),
                secret: secret.clone(),
            };
            replay::stored_plain(StatusCode::OK, Some(&body), None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
