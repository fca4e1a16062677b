//! Error handlers for actix's JSON, query and path extractors, so malformed input gets
//! the same problem+json as everything else.

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::{HttpRequest, web};

use crate::error::ApiError;

/// The largest JSON body accepted; the API's bodies are small, so this is generous.
pub const JSON_LIMIT: usize = 64 * 1024;

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT)
        .error_handler(|err, _req: &HttpRequest| json_error(err).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req: &HttpRequest| {
        let detail = match err {
            QueryPayloadError::Deserialize(e) => format!("invalid query parameters: {e}"),
            other => format!("invalid query parameters: {other}"),
        };
        ApiError::InvalidRequest(detail).into()
    })
}

pub fn path_config() -> web::PathConfig {
    // A path that does not parse names no resource that could exist.
    web::PathConfig::default().error_handler(|_err, _req: &HttpRequest| ApiError::NotFound.into())
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge(format!("the request body exceeds {limit} bytes"))
        }
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("the request body must be application/json".to_owned())
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::InvalidRequest(format!("invalid JSON body: {e}"))
        }
        other => ApiError::InvalidRequest(format!("unreadable request body: {other}")),
    }
}
