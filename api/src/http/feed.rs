//! Shared by every change feed (inbox, outbox, alerts): reading the paging and long-poll
//! parameters, and answering 304 when the caller already holds the (empty) page.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use herstelbrug_domain::OrgId;
use herstelbrug_persistence::{FeedQuery, Stream};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::http::{access_log, cursor, etag};

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 500;
pub const MAX_WAIT_SECONDS: u32 = 30;

/// Paging and long-polling of a change feed.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// The `next_cursor` of the previous page; absent to read from the start.
    #[param(min_length = 1, max_length = 200, pattern = "^[A-Za-z0-9_-]+$")]
    pub after: Option<String>,
    /// Page size, 1 to 500 [default: 100].
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Seconds to wait for a change when there is none yet, 0 to 30 [default: 0]. An empty
    /// answer at the end of the wait is the heartbeat: the feed is quiet, not dead.
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<u32>,
}

impl FeedParams {
    /// The query for `org`'s `stream`, and how long to wait.
    pub fn query(&self, org: OrgId, stream: Stream) -> Result<(FeedQuery, Duration), ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::InvalidRequest(format!(
                "`limit` must be between 1 and {MAX_LIMIT}"
            )));
        }
        let wait = self.wait.unwrap_or(0);
        if wait > MAX_WAIT_SECONDS {
            return Err(ApiError::InvalidRequest(format!(
                "`wait` must be between 0 and {MAX_WAIT_SECONDS} seconds"
            )));
        }
        let after = self
            .after
            .as_deref()
            .map(cursor::decode_feed)
            .transpose()?
            .unwrap_or_default();
        let query = FeedQuery {
            org,
            stream,
            after,
            limit: u64::from(limit),
        };
        Ok((query, Duration::from_secs(u64::from(wait))))
    }
}

/// The page as JSON with its cursor as ETag, or 304 when `If-None-Match` names it.
pub fn respond(req: &HttpRequest, next_cursor: &str, body: &impl Serialize) -> HttpResponse {
    let tag = format!("\"{next_cursor}\"");
    if etag::none_match_names(req, next_cursor) {
        access_log::nothing_disclosed(req);
        return etag::unchanged(&tag);
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(body)
}
