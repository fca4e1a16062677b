//! Writes one NEN 7513 access-log entry for every `/v1` and `/fhir` request, including refused and
//! failed ones: the operation, when, who for which organisation, from where, why (the
//! `Purpose` header, or care coordination), the subject of the data, and the outcome.
//! A successful write's entry is committed by the store inside the write's own
//! transaction (see `Audit`); every other entry is written here, after the handler. If an
//! entry cannot be written the caller gets a 500 instead of the data (or instead of the
//! change): no access goes unrecorded.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use chrono::{DateTime, Utc};
use herstelbrug_domain::Actor;
use herstelbrug_domain::ReferralAction;
use herstelbrug_persistence::{AccessRecord, IdempotencyKey, Replayable, WriteContext};
use tracing_actix_web::RequestId;

use crate::auth::Principal;
use crate::auth::person::PersonCaller;
use crate::error::{ApiError, UNREACHABLE};
use crate::state::AppState;

const DEFAULT_PURPOSE: &str = "care-coordination";

const PURPOSE_MAX: usize = 100;

/// What a create makes that its path does not name, so its entry is found under the
/// client's trajectory or referral.
#[derive(Debug, Clone, Copy, Default)]
pub struct CreatedSubject {
    pub trajectory_id: Option<uuid::Uuid>,
    pub referral_id: Option<uuid::Uuid>,
}

fn action(method: &str, pattern: &str) -> char {
    let creates = pattern == "/v1/trajectories"
        || pattern.ends_with("/consents")
        || pattern.ends_with("/referrals")
        || pattern.ends_with("/offers")
        || pattern.ends_with("/participants")
        || pattern.ends_with("/meetings")
        || pattern.ends_with("/outcome-checks")
        || pattern.ends_with("/invitations")
        || pattern == "/v1/webhook-subscriptions";
    match method {
        "GET" | "HEAD" => 'R',
        "POST" if pattern.ends_with("/search") => 'R',
        // An erasure removes data: the log says so.
        "POST" if pattern.ends_with("/erasure") => 'D',
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

/// The entry for `request`, answered with `status`.
fn draft(request: &HttpRequest, status: u16) -> AccessRecord {
    let method = request.method().as_str();
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
    // The referral action is part of what happened: `POST /v1/referrals/{rid}/accept`.
    let event_pattern = match request.match_info().get("action") {
        Some(action) if action.parse::<ReferralAction>().is_ok() => {
            pattern.replace("{action}", action)
        }
        _ => pattern.clone(),
    };
    let extensions = request.extensions();
    let principal = extensions.get::<Principal>();
    let person = extensions.get::<PersonCaller>();
    let purpose = request
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
    AccessRecord {
        event: format!("{method} {event_pattern}"),
        action: action(method, &pattern),
        outcome: outcome(status).to_owned(),
        status,
        client_ref: param("/v1/clients/{client_ref}", "client_ref"),
        trajectory_id: uuid(
            param("/v1/trajectories/{id}", "id")
                .or(param("/fhir/EpisodeOfCare/{id}", "id"))
                .or(param("/v1/me/trajectories/{id}", "id")),
        ),
        referral_id: uuid(param("/v1/referrals/{rid}", "rid").or(param("/fhir/Task/{rid}", "rid"))),
        // A person signed in for their own path is logged as themselves, in the role
        // they signed in with; they act for no organisation.
        subject: principal
            .map(|p| p.subject.to_string())
            .or_else(|| person.map(|p| p.subject.clone())),
        role: principal
            .map(|p| {
                p.scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .or_else(|| person.map(|p| p.role.to_string())),
        org: principal.map(|p| p.org.to_string()),
        address: request.peer_addr().map(|a| a.ip().to_string()),
        request_id: extensions.get::<RequestId>().map(ToString::to_string),
        purpose,
        disclosed: extensions
            .get::<Disclosed>()
            .map(|d| d.0.clone())
            .unwrap_or_default(),
    }
}

/// The trajectories a response showed data of, for its entry.
#[derive(Debug, Clone, Default)]
struct Disclosed(Vec<uuid::Uuid>);

/// Called by a handler whose answer shows data of these trajectories beyond the one its
/// path names (a feed page, a list): its entry names them all, so each client's access
/// report lists this read.
pub fn disclosed(req: &HttpRequest, trajectories: impl IntoIterator<Item = uuid::Uuid>) {
    let mut ids: Vec<uuid::Uuid> = trajectories.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if !ids.is_empty() {
        req.extensions_mut().insert(Disclosed(ids));
    }
}

/// Marks a request whose entry the store committed together with its write.
#[derive(Debug, Clone, Copy)]
struct Committed;

/// A write's access-log entry, handed to the store so the change and its entry commit in
/// one transaction: a write whose entry cannot be written does not happen.
pub struct Audit(HttpRequest);

impl FromRequest for Audit {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(req.clone())))
    }
}

impl Audit {
    /// The entry of this request if it succeeds with `status`; `created` names what a
    /// create makes, so the entry is found under the client's trajectory or referral.
    pub fn entry(&self, status: StatusCode, created: CreatedSubject) -> AccessRecord {
        // Not put in the request's extensions: if the write fails, the refusal's entry
        // must not name an id that was never created.
        let mut entry = draft(&self.0, status.as_u16());
        entry.trajectory_id = entry.trajectory_id.or(created.trajectory_id);
        entry.referral_id = entry.referral_id.or(created.referral_id);
        entry
    }

    /// Everything a keyed write takes from this request: the actor, this entry (for a
    /// success with `status`) and the `Idempotency-Key`.
    pub fn prepare(
        &self,
        actor: Actor,
        status: StatusCode,
        key: Option<IdempotencyKey>,
    ) -> WriteParts {
        WriteParts {
            actor,
            entry: self.entry(status, CreatedSubject::default()),
            key,
        }
    }

    /// The store committed the entry: the middleware must not write a second one.
    pub fn committed(&self) {
        self.0.extensions_mut().insert(Committed);
    }

    /// As `committed`, unless the store replayed an earlier response (nothing written now).
    pub fn settle(&self, outcome: &Replayable) {
        if matches!(outcome, Replayable::Fresh(_)) {
            self.committed();
        }
    }
}

/// What [`Audit::prepare`] gathered, owned, so a [`WriteContext`] can borrow it.
pub struct WriteParts {
    actor: Actor,
    entry: AccessRecord,
    key: Option<IdempotencyKey>,
}

impl WriteParts {
    pub fn context(&self, now: DateTime<Utc>) -> WriteContext<'_> {
        WriteContext {
            actor: &self.actor,
            now,
            audit: &self.entry,
            key: self.key.as_ref(),
        }
    }
}

/// Marks a response that discloses no client data at all, so there is no access to log.
#[derive(Debug, Clone, Copy)]
struct NothingDisclosed;

/// Called by a handler whose answer carries no client data (a feed's "nothing new since
/// your cursor": hundreds of municipalities poll every few seconds, and logging each
/// empty poll would add millions of rows a day and a commit to every poll).
pub fn nothing_disclosed(req: &HttpRequest) {
    req.extensions_mut().insert(NothingDisclosed);
}

/// Logs every `/v1` request the handler did not already log with its write.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?.map_into_boxed_body();
    let Some(state) = state else {
        return Ok(res);
    };
    if res.status().is_success() && res.request().extensions().contains::<Committed>() {
        return Ok(res);
    }
    if res.request().extensions().contains::<NothingDisclosed>() {
        return Ok(res);
    }
    let entry = draft(res.request(), res.status().as_u16());
    if res.status() == StatusCode::SERVICE_UNAVAILABLE {
        return Ok(unavailable_logged(&state, entry, res).await);
    }
    match state.access_writer.append(entry, state.clock.now()).await {
        Ok(()) => Ok(res),
        Err(e) => {
            let failure = if e.is_unavailable() {
                ApiError::Unavailable(UNREACHABLE.to_owned())
            } else {
                ApiError::Internal(format!("access log: {e}"))
            };
            tracing::error!(error = %e, "access log entry not written; response withheld");
            let (req, _) = res.into_parts();
            Ok(ServiceResponse::new(req, failure.error_response()))
        }
    }
}

/// How long a 503's entry may take: the request did nothing and disclosed nothing, and
/// while the database is out of reach its answer must not wait a second time.
const UNAVAILABLE_ENTRY_DEADLINE: Duration = Duration::from_millis(300);

/// Logs a 503 (database out of reach, or the request's time ran out). When the log cannot
/// take the entry either, the attempt goes to the operations log instead: it disclosed
/// nothing, and the database is where the entry cannot go.
async fn unavailable_logged(
    state: &AppState,
    entry: AccessRecord,
    res: ServiceResponse<BoxBody>,
) -> ServiceResponse<BoxBody> {
    let append = state.access_writer.append(entry.clone(), state.clock.now());
    let stored = tokio::time::timeout(UNAVAILABLE_ENTRY_DEADLINE, append).await;
    if !matches!(stored, Ok(Ok(()))) {
        tracing::warn!(
            event = %entry.event,
            org = entry.org.as_deref().unwrap_or("-"),
            request_id = entry.request_id.as_deref().unwrap_or("-"),
            "access-log entry of a 503 kept in the operations log: the database is out of reach"
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_and_outcomes() {
        assert_eq!(action("GET", "/v1/trajectories/{id}"), 'R');
        assert_eq!(action("POST", "/v1/trajectories"), 'C');
        assert_eq!(action("POST", "/v1/trajectories/{id}/erasure"), 'D');
        assert_eq!(action("POST", "/v1/trajectories/{id}/transitions"), 'U');
        assert_eq!(action("DELETE", "/v1/webhook-subscriptions/{id}"), 'D');
        assert_eq!(outcome(200), "success");
        assert_eq!(outcome(403), "denied");
        assert_eq!(outcome(404), "not_found");
        assert_eq!(outcome(422), "refused");
        assert_eq!(outcome(500), "failed");
    }
}
