//! Turning a stored (possibly replayed) write response into an HTTP response.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use herstelbrug_persistence::{Replayable, StoredResponse};
use serde::Serialize;

use crate::http::etag::etag;

/// The header that tells a client its retry was answered from the stored first response.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// A response body with its version, as a write stores it for replay.
pub fn stored<T: Serialize>(
    status: StatusCode,
    body: &T,
    version: u32,
    location: Option<String>,
) -> StoredResponse {
    StoredResponse {
        status: status.as_u16(),
        body: serde_json::to_value(body).unwrap_or(serde_json::Value::Null),
        etag: Some(etag(version)),
        location,
    }
}

/// A response without a version (webhook subscriptions, queued messages); `body` `None`
/// for an empty answer (204, or 202 without a body).
pub fn stored_plain<T: Serialize>(
    status: StatusCode,
    body: Option<&T>,
    location: Option<String>,
) -> StoredResponse {
    StoredResponse {
        status: status.as_u16(),
        body: body
            .and_then(|b| serde_json::to_value(b).ok())
            .unwrap_or(serde_json::Value::Null),
        etag: None,
        location,
    }
}

pub fn respond(outcome: Replayable) -> HttpResponse {
    let replayed = matches!(outcome, Replayable::Replayed(_));
    let stored = match outcome {
        Replayable::Fresh(r) | Replayable::Replayed(r) => r,
    };
    let mut builder =
        HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
    if let Some(tag) = stored.etag {
        builder.insert_header((header::ETAG, tag));
    }
    if let Some(location) = stored.location {
        builder.insert_header((header::LOCATION, location));
    }
    if replayed {
        builder.insert_header((REPLAYED_HEADER, "true"));
    }
    if stored.body.is_null() {
        return builder.finish();
    }
    builder.json(stored.body)
}
