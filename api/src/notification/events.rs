//! `GET /v1/webhook-subscriptions/{id}/events`: the events of a number range again, for
//! a receiver that missed some.

use actix_web::{HttpResponse, get, web};
use herstelbrug_domain::notification::EventRange;
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::query::StrictQuery;
use crate::notification::event_dto::{EventRangeParams, NumberedEventList};
use crate::notification::subscription_id;
use crate::state::AppState;

const DEFAULT_LIMIT: u16 = 100;
const MAX_LIMIT: u16 = 500;

/// Catch up on a subscription's events.
///
/// The events numbered after `since` up to `until`, oldest first, each with the exact
/// body sent and whether it was delivered. Events stay readable for the retention (30
/// days by default); asking for an older one is 410 `expired`, naming the oldest kept.
#[utoipa::path(
    operation_id = "list_webhook_events",
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "The subscription id"), EventRangeParams),
    responses(
        (status = 200, description = "The events of the range", body = NumberedEventList),
        (status = 404, description = "No such subscription of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The range starts before the retention: those events were pruned",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`until` is not after `since`, or `limit` is out of range",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/webhook-subscriptions/{id}/events")]
pub async fn list_events(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: StrictQuery<EventRangeParams>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let id = subscription_id(&id)?;
    let number = |name: &str, value: i64| {
        u64::try_from(value)
            .map_err(|_| ApiError::Validation(format!("{name}: must not be negative")))
    };
    let until = params.until.map(|u| number("until", u)).transpose()?;
    let range = EventRange::new(number("since", params.since)?, until)
        .map_err(|e| ApiError::Validation(e.to_string()))?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::Validation(format!(
            "limit: must be between 1 and {MAX_LIMIT}"
        )));
    }
    let now = state.clock.now();
    let page = state
        .webhooks
        .events(
            id,
            org,
            range,
            u64::from(limit),
            now - state.webhook_settings.event_retention,
        )
        .await?;
    Ok(HttpResponse::Ok().json(NumberedEventList::from(&page)))
}
