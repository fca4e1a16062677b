//! `GET /v1/alerts/feed`: the change feed of the alerts that concern the caller.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_persistence::Stream;

use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::continuity::dto::{AlertFeedItemView, AlertFeedPage, AlertView};
use crate::error::ApiError;
use crate::http::feed::{FeedParams, respond};
use crate::http::query::StrictQuery;
use crate::http::{access_log, cursor};
use crate::state::AppState;

/// Follow alerts.
///
/// Every change (opened, escalated, acknowledged, resolved) of every alert that concerns
/// the caller's organisation, in order, at least once, with the same cursor, long-poll
/// and 304 semantics as the referral inbox. A change is in the feed as soon as the change
/// that caused it is committed; a long-polling client is woken by it.
#[utoipa::path(
    operation_id = "poll_alert_feed",
    tag = "alerts",
    params(FeedParams, ("If-None-Match" = Option<String>, Header, description = "The ETag of the last page")),
    responses(
        (status = 200, description = "A page of changes", body = AlertFeedPage,
            headers(("ETag" = String, description = "The page's next cursor"))),
        (status = 304, description = "Nothing new since the cursor named in If-None-Match"),
        (status = 410, description = "`after` is older than the feed's retention: changes after it were pruned; start again without it",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`after` is not a cursor this API issued",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/alerts/feed")]
pub async fn alert_feed(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    params: StrictQuery<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::alert_feed_reader(&principal)?;
    let (query, wait) = params.query(org, Stream::Alerts)?;
    let page = state.alerts.feed(&query, wait).await?;
    let residents = state
        .alerts
        .residents(principal.org, page.items.iter().map(|item| &item.alert))
        .await?;
    let next_cursor = cursor::encode_feed(page.next);
    access_log::disclosed(
        &req,
        page.items
            .iter()
            .map(|item| item.alert.trajectory_id.as_uuid()),
    );
    let body = AlertFeedPage {
        items: page
            .items
            .iter()
            .map(|item| AlertFeedItemView {
                id: cursor::encode_feed(item.position),
                change: item.change.clone(),
                recorded_at: item.recorded_at,
                alert: AlertView::from(&item.alert)
                    .seen_by(Some(principal.org))
                    .with_resident(residents.get(&item.alert.trajectory_id)),
            })
            .collect(),
        next_cursor: next_cursor.clone(),
    };
    Ok(respond(&req, &next_cursor, &body))
}
