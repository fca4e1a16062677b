//! The error handler for actix's path extractor, so a malformed path gets the same
//! problem+json as everything else (JSON bodies: `json_body`; query strings: `query`).

use actix_web::{HttpRequest, web};

use crate::error::ApiError;

/// The largest JSON body accepted; the API's bodies are small, so this is generous.
pub const JSON_LIMIT: usize = 64 * 1024;

pub fn path_config() -> web::PathConfig {
    // A path that does not parse names no resource that could exist.
    web::PathConfig::default().error_handler(|_err, _req: &HttpRequest| ApiError::NotFound.into())
}
