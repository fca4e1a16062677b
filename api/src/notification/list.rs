//! `GET /v1/webhook-subscriptions`: the caller's subscriptions.

use actix_web::{HttpResponse, get, web};

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::notification::dto::{SubscriptionList, SubscriptionView};
use crate::state::AppState;

/// List subscriptions.
///
/// The caller organisation's webhook subscriptions with their URL, event types and
/// delivery health. Secrets are shown once, when created or rotated, never here.
#[utoipa::path(
    operation_id = "list_webhook_subscriptions",
    tag = "webhooks",
    responses((status = 200, description = "The caller's subscriptions", body = SubscriptionList)),
    security(("bearer" = []))
)]
#[get("/webhook-subscriptions")]
pub async fn list_subscriptions(
    principal: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let subscriptions = state.webhooks.list(org).await?;
    Ok(HttpResponse::Ok().json(SubscriptionList {
        items: subscriptions.iter().map(SubscriptionView::from).collect(),
    }))
}
