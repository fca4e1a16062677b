//! Refuses requests whose shape the API never accepts, before any handler reads them: a
//! body on an operation that takes none (400), and request headers larger than
//! [`HEADER_LIMIT`] (431). Both answer problem+json, and the access log records them.
//! An empty JSON body (`null` or `{}`, what generated clients send for "nothing") counts
//! as no body; anything else is refused rather than silently ignored.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};
use futures::StreamExt;

use crate::error::ApiError;
use crate::http::fallback::RouteTable;

/// The most header bytes (names and values) a request may carry. Below the HTTP layer's
/// own limit, so the answer is ours: a problem, not an empty 431.
pub const HEADER_LIMIT: usize = 16 * 1024;

/// The most bytes an "empty" JSON body (`null`, `{}`) may take, white space included.
const EMPTY_BODY_MAX: u64 = 16;

fn declared_length(req: &ServiceRequest) -> Option<u64> {
    req.headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

fn carries_body(req: &ServiceRequest) -> bool {
    declared_length(req).is_some_and(|n| n > 0) || req.headers().contains_key(TRANSFER_ENCODING)
}

/// Whether the (short) body is nothing in JSON terms; it is consumed either way.
async fn is_empty_json(req: &mut ServiceRequest) -> bool {
    if req.headers().contains_key(TRANSFER_ENCODING)
        || declared_length(req).is_none_or(|n| n > EMPTY_BODY_MAX)
    {
        return false;
    }
    let mut payload = req.take_payload();
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        match chunk {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(_) => return false,
        }
    }
    matches!(
        std::str::from_utf8(&bytes).map(str::trim),
        Ok("" | "null" | "{}")
    )
}

/// The methods of the path's most literal route, when the request's method is not one.
fn undeclared(req: &ServiceRequest) -> Option<Vec<String>> {
    let routes = req.app_data::<web::Data<RouteTable>>()?;
    let methods = routes.methods_for(req.path())?;
    let method = req.method().as_str();
    (method != "HEAD" && !methods.is_empty() && !methods.iter().any(|m| m == method))
        .then_some(methods)
}

pub async fn check(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    let refusal = if header_bytes > HEADER_LIMIT {
        Some(ApiError::HeadersTooLarge(format!(
            "the request headers take {header_bytes} bytes; at most {HEADER_LIMIT} are accepted"
        )))
    } else if let Some(allow) = undeclared(&req) {
        // The most literal template decides (`/v1/services/feed` is no service id).
        Some(ApiError::MethodNotAllowed { allow })
    } else {
        // Only operations that exist: another method on a known path is the router's 405.
        let takes_body = req
            .app_data::<web::Data<RouteTable>>()
            .is_none_or(|routes| {
                let method = req.method().as_str();
                let known = routes
                    .methods_for(req.path())
                    .is_some_and(|methods| methods.iter().any(|m| m == method));
                !known || routes.takes_body(method, req.path())
            });
        let refused = !takes_body && carries_body(&req) && !is_empty_json(&mut req).await;
        refused.then(|| {
            ApiError::InvalidRequest(format!(
                "{} {} takes no request body; send none",
                req.method(),
                req.path()
            ))
        })
    };
    match refusal {
        Some(error) => {
            let response = error.error_response();
            Ok(req.into_response(response).map_into_boxed_body())
        }
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
    }
}
