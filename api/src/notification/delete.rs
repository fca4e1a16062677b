//! `DELETE /v1/webhook-subscriptions/{id}`: stop deliveries to an endpoint.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::{idempotency, replay};
use crate::notification::subscription_id;
use crate::state::AppState;

/// Delete a subscription.
///
/// No event is queued for it any more and it leaves the list; deleting it again answers
/// 404. With an `Idempotency-Key` a retried delete answers as the first did.
#[utoipa::path(
    operation_id = "delete_webhook_subscription",
    tag = "webhooks",
    params(
        ("id" = uuid::Uuid, Path, description = "The subscription id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
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
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let id = subscription_id(&id)?;
    let key = idempotency::key_for(&req, principal.org, &())?;
    let parts = audit.prepare(principal.actor(), StatusCode::NO_CONTENT, key);
    let write = parts.context(state.clock.now());
    let outcome = state
        .webhooks
        .delete(id, org, write, &|()| {
            replay::stored_plain::<()>(StatusCode::NO_CONTENT, None, None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
