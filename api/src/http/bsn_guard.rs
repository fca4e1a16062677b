//! Keeps the BSN out of URLs (UAVG art. 46): a query value that is or holds a valid BSN is
//! refused with 400 naming the parameter, before the request is logged or handled, and the
//! root span of every request carries its target with any BSN masked (defence in depth
//! for a BSN in a path segment, which routing then refuses as an unknown id).

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use herstelbrug_domain::bsn;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

use crate::error::ApiError;

/// The first query parameter whose value (percent-decoded) holds a BSN.
fn parameter_with_bsn(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(_, value)| bsn::appears_in(value))
        .map(|(name, _)| bsn::masked(&name).into_owned())
}

pub async fn refuse_in_query(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    match parameter_with_bsn(req.query_string()) {
        Some(name) => {
            let response = ApiError::InvalidRequest(format!(
                "query parameter `{name}`: a BSN may not be sent in a URL (UAVG art. 46); \
                 send it in the body of a POST, such as POST /v1/trajectories/search"
            ))
            .error_response();
            Ok(req.into_response(response).map_into_boxed_body())
        }
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
    }
}

/// The default root span's fields, with `http.target` masked (recording the field a
/// second time would add to the log line, not replace it).
pub struct MaskedRootSpan;

impl RootSpanBuilder for MaskedRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let method = request.method().as_str();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_owned());
        let target = request
            .uri()
            .path_and_query()
            .map_or("", |p| p.as_str())
            .to_owned();
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        let user_agent = request
            .headers()
            .get("User-Agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let info = request.connection_info().clone();
        tracing::info_span!(
            "HTTP request",
            http.method = %method,
            http.route = %route,
            http.flavor = ?request.version(),
            http.scheme = %info.scheme(),
            http.host = %info.host(),
            http.client_ip = %info.realip_remote_addr().unwrap_or(""),
            http.user_agent = %user_agent,
            http.target = %bsn::masked(&target),
            http.status_code = tracing::field::Empty,
            otel.name = %format!("{method} {route}"),
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            trace_id = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_parameter_after_decoding() {
        assert_eq!(
            parameter_with_bsn("limit=5&identifier=urn%3Ax%7C123456782"),
            Some("identifier".to_owned())
        );
        assert_eq!(parameter_with_bsn("q=12345678%32"), Some("q".to_owned()));
        assert_eq!(parameter_with_bsn("limit=123456783"), None);
        assert_eq!(parameter_with_bsn(""), None);
    }
}
