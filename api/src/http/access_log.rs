//! Writes one NEN 7513 access-log entry for every `/v1` request, including refused and
//! failed ones: the operation, when, who for which organisation, from where, why (the
//! `Purpose` header, or care coordination), the subject of the data, and the outcome.
//! If the entry cannot be written the caller gets a 500 instead of the data: no access
//! goes unrecorded.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use herstelbrug_persistence::AccessRecord;
use tracing_actix_web::RequestId;

use crate::auth::Principal;
use crate::error::{ApiError, problem_response};
use crate::state::AppState;

const DEFAULT_PURPOSE: &str = "care-coordination";

/// Set by a handler that created something the path does not name, so its entry is
/// found under the client's trajectory or referral.
#[derive(Debug, Clone, Copy, Default)]
pub struct CreatedSubject {
    pub trajectory_id: Option<uuid::Uuid>,
    pub referral_id: Option<uuid::Uuid>,
}
const PURPOSE_MAX: usize = 100;

fn action(method: &str, pattern: &str) -> char {
    let creates = pattern == "/v1/trajectories"
        || pattern.ends_with("/consents")
        || pattern.ends_with("/referrals")
        || pattern == "/v1/webhook-subscriptions";
    match method {
        "GET" | "HEAD" => 'R',
        "POST" if pattern.ends_with("/search") => 'R',
        "POST" if creates => 'C',
        "POST" | "PUT" | "PATCH" => 'U',
        "DELETE" => 'D',
        _ => 'E',
    }
}

fn outcome(status: u16) -> &'static str {
    match status {
        200..=399 => "success",
        401 | 403 => "denied",
        404 => "not_found",
        400..=499 => "refused",
        _ => "failed",
    }
}

pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let address = req.peer_addr().map(|a| a.ip().to_string());
    let request_id = req.extensions().get::<RequestId>().map(ToString::to_string);
    let purpose = req
        .headers()
        .get("Purpose")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(PURPOSE_MAX)
                .collect::<String>()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_PURPOSE.to_owned());
    let method = req.method().as_str().to_owned();
    let res = next.call(req).await?.map_into_boxed_body();
    let Some(state) = state else {
        return Ok(res);
    };
    let request = res.request();
    let pattern = request
        .match_pattern()
        .unwrap_or_else(|| request.path().to_owned());
    let param = |prefix: &str, name: &str| {
        pattern
            .starts_with(prefix)
            .then(|| request.match_info().get(name).map(str::to_owned))
            .flatten()
    };
    let uuid = |text: Option<String>| text.and_then(|t| t.parse().ok());
    let principal = request.extensions().get::<Principal>().cloned();
    let created = request
        .extensions()
        .get::<CreatedSubject>()
        .copied()
        .unwrap_or_default();
    let status = res.status().as_u16();
    let entry = AccessRecord {
        event: format!("{method} {pattern}"),
        action: action(&method, &pattern),
        outcome: outcome(status).to_owned(),
        status,
        client_ref: param("/v1/clients/{client_ref}", "client_ref"),
        trajectory_id: uuid(param("/v1/trajectories/{id}", "id")).or(created.trajectory_id),
        referral_id: uuid(param("/v1/referrals/{rid}", "rid")).or(created.referral_id),
        subject: principal.as_ref().map(|p| p.subject.to_string()),
        role: principal.as_ref().map(|p| {
            p.scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
        org: principal.as_ref().map(|p| p.org.to_string()),
        address,
        request_id,
        purpose,
    };
    match state.access.append(&entry, state.clock.now()).await {
        Ok(()) => Ok(res),
        Err(e) => {
            let failure = ApiError::Internal(format!("access log: {e}"));
            tracing::error!(error = %e, "access log entry not written; response withheld");
            let (req, _) = res.into_parts();
            let body = problem_response(&failure.kind().problem(Some(failure.to_string())));
            Ok(ServiceResponse::new(req, body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_outcomes() {
        assert_eq!(action("GET", "/v1/trajectories/{id}"), 'R');
        assert_eq!(action("POST", "/v1/trajectories"), 'C');
        assert_eq!(action("POST", "/v1/trajectories/{id}/transitions"), 'U');
        assert_eq!(action("DELETE", "/v1/webhook-subscriptions/{id}"), 'D');
        assert_eq!(outcome(200), "success");
        assert_eq!(outcome(403), "denied");
        assert_eq!(outcome(404), "not_found");
        assert_eq!(outcome(422), "refused");
        assert_eq!(outcome(500), "failed");
    }
}
