//! `GET /v1/referrals/outbox-feed`: the change feed of the caller's own referrals.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_persistence::Stream;

use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::feed::{self, FeedParams};
use crate::http::query::StrictQuery;
use crate::http::{access_log, cursor};
use crate::referral::dto::{OutboxItem, OutboxPage, ProviderReferralView};
use crate::state::AppState;

/// Follow the caller's referrals.
///
/// Every change of every referral the caller's organisation sent, with the same cursor,
/// long-poll and 304 semantics as the inbox.
#[utoipa::path(
    operation_id = "poll_referral_outbox_feed",
    tag = "referrals",
    params(FeedParams, ("If-None-Match" = Option<String>, Header, description = "The ETag of the last page")),
    responses(
        (status = 200, description = "A page of changes", body = OutboxPage,
            headers(("ETag" = String, description = "The page's next cursor"))),
        (status = 304, description = "Nothing new since the cursor named in If-None-Match"),
        (status = 410, description = "`after` is older than the feed's retention: changes after it were pruned; start again without it",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`after` is not a cursor this API issued",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/outbox-feed")]
pub async fn outbox_feed(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    params: StrictQuery<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let (query, wait) = params.query(provider.into(), Stream::Outbox)?;
    let clock = state.clock.clone();
    let page = state
        .referrals
        .feed(&query, wait, move || clock.now())
        .await?;
    let next_cursor = cursor::encode_feed(page.next);
    access_log::disclosed(
        &req,
        page.items
            .iter()
            .map(|item| item.record.referral.trajectory_id.as_uuid()),
    );
    let body = OutboxPage {
        items: page
            .items
            .iter()
            .map(|item| OutboxItem {
                id: cursor::encode_feed(item.position),
                change: item.change.clone(),
                recorded_at: item.recorded_at,
                referral: ProviderReferralView::from(&item.record),
            })
            .collect(),
        next_cursor: next_cursor.clone(),
    };
    Ok(feed::respond(&req, &next_cursor, &body))
}
