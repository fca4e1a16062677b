//! A bound on how long any request may take: a stuck query or a slow client ends in a 503
//! problem instead of holding a worker. Dropping the handler rolls its transaction back.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::error::ApiError;

/// The configured limit, shared with the middleware.
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeout(pub Duration);

pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<RequestTimeout>>()
        .map_or(Duration::from_secs(60), |t| t.0);
    let path = req.path().to_owned();
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(response) => response.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::warn!(path, "request timed out");
            // Returned as an error: actix answers with its problem+json rendering.
            Err(ApiError::Unavailable(format!(
                "the request took longer than {} s",
                limit.as_secs()
            ))
            .into())
        }
    }
}
