//! Error handlers for actix's query and path extractors, so malformed input gets the same
//! problem+json as everything else (JSON bodies: `json_body`).

use actix_web::error::QueryPayloadError;
use actix_web::{HttpRequest, web};

use crate::error::ApiError;

/// The largest JSON body accepted; the API's bodies are small, so this is generous.
pub const JSON_LIMIT: usize = 64 * 1024;

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
