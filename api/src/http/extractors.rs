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

/// A JSON body that may be left out entirely (then `T::default()`), for actions whose
/// fields are all optional. A body that is present must be valid JSON of `T`.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + Default + 'static> actix_web::FromRequest
    for OptionalJson<T>
{
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|_| {
                ApiError::PayloadTooLarge(format!("the request body exceeds {JSON_LIMIT} bytes"))
            })?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(T::default()));
            }
            if bytes.len() > JSON_LIMIT {
                return Err(ApiError::PayloadTooLarge(format!(
                    "the request body exceeds {JSON_LIMIT} bytes"
                )));
            }
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "the request body must be application/json".to_owned(),
                ));
            }
            // `null` is an absent body too: generated clients send it for "no options".
            serde_json::from_slice::<Option<T>>(&bytes)
                .map(|body| OptionalJson(body.unwrap_or_default()))
                .map_err(|e| ApiError::InvalidRequest(format!("invalid JSON body: {e}")))
        })
    }
}
