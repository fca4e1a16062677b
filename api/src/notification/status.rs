//! `GET /v1/webhook-subscriptions/{id}/status`: the last event number and how
//! deliveries stand.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::notification::event_dto::SubscriptionStatusView;
use crate::notification::subscription_id;
use crate::state::AppState;

/// Read a subscription's status.
///
/// `events_since_subscription_start` is the number of the last event queued for the
/// subscription; compare it with the last `event_number` received to see whether
/// anything is missing, then fetch the gap with `GET …/events?since=`.
#[utoipa::path(
    operation_id = "get_webhook_subscription_status",
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The subscription id")),
    responses(
        (status = 200, description = "The status", body = SubscriptionStatusView),
        (status = 404, description = "No such subscription of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/webhook-subscriptions/{id}/status")]
pub async fn subscription_status(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let status = state.webhooks.status(subscription_id(&id)?, org).await?;
    Ok(HttpResponse::Ok().json(SubscriptionStatusView::from(&status)))
}
