//! Shared by the inbox and the outbox feed: reading the parameters and answering 304 when
//! the caller already holds the (empty) page.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use herstelbrug_domain::OrgId;
use herstelbrug_persistence::{FeedPage, FeedQuery, FeedRole};
use serde::Serialize;

use crate::dto::referral::FeedParams;
use crate::error::ApiError;
use crate::http::cursor;
use crate::state::AppState;

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 500;
pub const MAX_WAIT_SECONDS: u32 = 30;

/// Reads one page of `org`'s feed as the parameters ask, waiting if asked to.
pub async fn read(
    state: &AppState,
    org: OrgId,
    role: FeedRole,
    params: &FeedParams,
) -> Result<FeedPage, ApiError> {
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
    let clock = state.clock.clone();
    let query = FeedQuery {
        org,
        role,
        after,
        limit: u64::from(limit),
    };
    Ok(state
        .referrals
        .feed(&query, Duration::from_secs(u64::from(wait)), move || {
            clock.now()
        })
        .await?)
}

/// The page as JSON with its cursor as ETag, or 304 when `If-None-Match` names it.
pub fn respond(req: &HttpRequest, next_cursor: &str, body: &impl Serialize) -> HttpResponse {
    let tag = format!("\"{next_cursor}\"");
    let held = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == tag)
        });
    if held {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(body)
}
