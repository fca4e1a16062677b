//! `GET /v1/referrals/inbox`: the change feed of referrals addressed to the caller.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_persistence::Stream;

use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::feed::{self, FeedParams};
use crate::http::query::StrictQuery;
use crate::http::{access_log, cursor};
use crate::referral::dto::{InboxItem, InboxPage, RecipientReferralView};
use crate::state::AppState;

/// Poll the referral inbox.
///
/// Every change of every referral addressed to the caller's organisation (from the token,
/// never the request), in order, at least once, each with the referral's current
/// minimised view. Keep `next_cursor` and pass it as `after`; no committed change is ever
/// skipped. With `wait`, an empty poll waits up to that many seconds and returns as soon
/// as a change arrives. With `If-None-Match: <next_cursor>` an empty poll answers 304.
#[utoipa::path(
    operation_id = "poll_referral_inbox",
    tag = "referrals",
    params(FeedParams, ("If-None-Match" = Option<String>, Header, description = "The ETag of the last page")),
    responses(
        (status = 200, description = "A page of changes", body = InboxPage,
            headers(("ETag" = String, description = "The page's next cursor"))),
        (status = 304, description = "Nothing new since the cursor named in If-None-Match"),
        (status = 410, description = "`after` is older than the feed's retention: changes after it were pruned; start again without it",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`after` is not a cursor this API issued",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/inbox")]
pub async fn inbox(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    params: StrictQuery<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let (query, wait) = params.query(org, Stream::Inbox)?;
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
    let body = InboxPage {
        items: page
            .items
            .iter()
            .map(|item| InboxItem {
                id: cursor::encode_feed(item.position),
                change: item.change.clone(),
                recorded_at: item.recorded_at,
                referral: RecipientReferralView::from(&item.record),
            })
            .collect(),
        next_cursor: next_cursor.clone(),
    };
    Ok(feed::respond(&req, &next_cursor, &body))
}
