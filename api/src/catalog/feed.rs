//! `GET /v1/services/feed`: every change of the catalog, in order, so a municipal sociale
//! kaart can mirror it.

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use herstelbrug_openapi::Problem;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::catalog::dto::ServiceView;
use crate::error::ApiError;
use crate::http::feed::{DEFAULT_LIMIT, FeedParams, MAX_LIMIT, MAX_WAIT_SECONDS, respond};
use crate::http::query::StrictQuery;
use crate::http::{access_log, cursor};
use crate::state::AppState;

/// One change of a service, with the service as it is now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogFeedItemView {
    /// This item's position; resume after it with `after`.
    pub id: String,
    /// `service_created`, `service_updated`, `service_retired` or `service_capacity`.
    pub change: String,
    pub recorded_at: DateTime<Utc>,
    pub service: ServiceView,
}

/// A page of catalog changes.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::catalog::examples::feed)]
pub struct CatalogFeedPage {
    pub items: Vec<CatalogFeedItemView>,
    /// Pass as `after` (or as `If-None-Match`) for the next page.
    pub next_cursor: String,
}

/// Follow the catalog.
///
/// Every change of every service, in order, at least once. Keep `next_cursor` and pass it
/// as `after`; with `wait`, an empty poll waits up to that many seconds; with
/// `If-None-Match: <next_cursor>` an empty poll answers 304.
#[utoipa::path(
    operation_id = "follow_catalog",
    tag = "catalog",
    params(FeedParams, ("If-None-Match" = Option<String>, Header, description = "The ETag of the last page")),
    responses(
        (status = 200, description = "A page of changes", body = CatalogFeedPage,
            headers(("ETag" = String, description = "The page's next cursor"))),
        (status = 304, description = "Nothing new since the cursor named in If-None-Match"),
        (status = 410, description = "`after` is older than the feed's retention: changes after it were pruned; start again without it",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`after` is not a cursor this API issued",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/services/feed")]
pub async fn feed(
    _principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    params: StrictQuery<FeedParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidRequest(format!(
            "`limit` must be between 1 and {MAX_LIMIT}"
        )));
    }
    let wait = params.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECONDS {
        return Err(ApiError::InvalidRequest(format!(
            "`wait` must be between 0 and {MAX_WAIT_SECONDS} seconds"
        )));
    }
    let after = params
        .after
        .as_deref()
        .map(cursor::decode_feed)
        .transpose()?
        .unwrap_or_default();
    let page = state
        .catalog
        .feed(
            after,
            u64::from(limit),
            Duration::from_secs(u64::from(wait)),
            state.clock.now(),
        )
        .await?;
    // The catalog holds no client data: following it is no client access.
    access_log::nothing_disclosed(&req);
    let next_cursor = cursor::encode_feed(page.next);
    let body = CatalogFeedPage {
        items: page
            .items
            .iter()
            .map(|item| CatalogFeedItemView {
                id: cursor::encode_feed(item.position),
                change: item.change.clone(),
                recorded_at: item.recorded_at,
                service: ServiceView::new(&item.entry.service, &item.entry.waiting),
            })
            .collect(),
        next_cursor: next_cursor.clone(),
    };
    Ok(respond(&req, &next_cursor, &body))
}
