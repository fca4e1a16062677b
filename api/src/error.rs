//! The API's errors and their one mapping to RFC 9457 problem+json responses. Every
//! status code an error can produce is decided in [`ProblemKind`], nowhere else.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use herstelbrug_domain::{DomainError, Phase, ReferralAction, ReferralId, TrajectoryId};
use herstelbrug_openapi::{PROBLEM_CONTENT_TYPE, Problem};
use herstelbrug_persistence::StoreError;

/// Base of every problem `type` URI; the slug after it is stable.
pub const PROBLEM_BASE: &str = "https://herstelbrug.nl/problems/";

/// The kinds of problem the API reports, each with one status, slug and title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    InvalidRequest,
    ValidationFailed,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    IllegalTransition,
    IllegalReferralAction,
    OpenTrajectoryExists,
    OpenReferralExists,
    ConsentRequired,
    ConsentAlreadyWithdrawn,
    AlertAlreadyHandled,
    TrajectoryClosed,
    OfferClosed,
    IdentifierTaken,
    InvitationClosed,
    LegalHold,
    Expired,
    PreconditionFailed,
    PreconditionRequired,
    IdempotencyKeyReused,
    PayloadTooLarge,
    HeadersTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    Internal,
    Unavailable,
}

impl ProblemKind {
    pub const ALL: &'static [ProblemKind] = &[
        ProblemKind::InvalidRequest,
        ProblemKind::ValidationFailed,
        ProblemKind::Unauthorized,
        ProblemKind::Forbidden,
        ProblemKind::NotFound,
        ProblemKind::MethodNotAllowed,
        ProblemKind::IllegalTransition,
        ProblemKind::IllegalReferralAction,
        ProblemKind::OpenTrajectoryExists,
        ProblemKind::OpenReferralExists,
        ProblemKind::ConsentRequired,
        ProblemKind::ConsentAlreadyWithdrawn,
        ProblemKind::AlertAlreadyHandled,
        ProblemKind::TrajectoryClosed,
        ProblemKind::OfferClosed,
        ProblemKind::IdentifierTaken,
        ProblemKind::InvitationClosed,
        ProblemKind::LegalHold,
        ProblemKind::Expired,
        ProblemKind::PreconditionFailed,
        ProblemKind::PreconditionRequired,
        ProblemKind::IdempotencyKeyReused,
        ProblemKind::PayloadTooLarge,
        ProblemKind::HeadersTooLarge,
        ProblemKind::UnsupportedMediaType,
        ProblemKind::TooManyRequests,
        ProblemKind::Internal,
        ProblemKind::Unavailable,
    ];

    /// What a client should do about it, for the document's table of problem types.
    pub const fn description(self) -> &'static str {
        match self {
            ProblemKind::InvalidRequest => {
                "The request cannot be read: malformed JSON, an unknown field or parameter, a \
                 malformed header. `detail` names the field. Fix the request; retrying it \
                 unchanged fails again."
            }
            ProblemKind::ValidationFailed => {
                "The request is readable but a value breaks a rule (a date order, a length, \
                 a code the field does not take). `detail` names the field."
            }
            ProblemKind::Unauthorized => {
                "No valid bearer token: missing, expired, wrong issuer or audience, bad \
                 signature. One body for every cause."
            }
            ProblemKind::Forbidden => {
                "The token is valid but its scope or organisation may not do this."
            }
            ProblemKind::NotFound => {
                "No such resource that the caller may see (another organisation's records \
                 are not found, not forbidden)."
            }
            ProblemKind::MethodNotAllowed => {
                "The path exists but not with this method; `Allow` lists those it has."
            }
            ProblemKind::IllegalTransition => {
                "The trajectory may not move to that phase from where it is; `allowed` lists \
                 the phases it may move to now."
            }
            ProblemKind::IllegalReferralAction => {
                "The referral's status or the caller's side does not allow that action now; \
                 `allowed` lists the actions that are."
            }
            ProblemKind::OpenTrajectoryExists => {
                "The client already has an open trajectory at this provider; `detail` names it."
            }
            ProblemKind::OpenReferralExists => {
                "A referral of this kind to this organisation is still open; `detail` names it."
            }
            ProblemKind::ConsentRequired => {
                "Sharing with that organisation needs the client's recorded consent first."
            }
            ProblemKind::ConsentAlreadyWithdrawn => "The consent was withdrawn already.",
            ProblemKind::AlertAlreadyHandled => "The alert was already acknowledged or resolved.",
            ProblemKind::TrajectoryClosed => "The trajectory is closed; it takes no changes.",
            ProblemKind::OfferClosed => {
                "The offer was taken by another candidate, expired or was withdrawn."
            }
            ProblemKind::IdentifierTaken => {
                "The caller's organisation already gave another object of this kind that \
                 identifier (system and value); `detail` names it."
            }
            ProblemKind::InvitationClosed => {
                "The invitation code was used, revoked or has expired, or the person is \
                 linked to that trajectory already: ask for a new code."
            }
            ProblemKind::LegalHold => {
                "A legal hold keeps this trajectory's data: it is neither erased nor removed \
                 by retention until the hold is lifted; `detail` gives the hold's reason."
            }
            ProblemKind::Expired => {
                "What was asked for is older than the retention (30 days by default) and was \
                 pruned: an event range's `since` or a feed's `after` cursor. `detail` says \
                 where to start again."
            }
            ProblemKind::PreconditionFailed => {
                "`If-Match` names no current version: read again (the response's `ETag` is the \
                 current one), decide again, retry with the new tag."
            }
            ProblemKind::PreconditionRequired => {
                "This change needs `If-Match` with the resource's `ETag`."
            }
            ProblemKind::IdempotencyKeyReused => {
                "The `Idempotency-Key` was used before for a different request; use a new key."
            }
            ProblemKind::PayloadTooLarge => "The request body is larger than the limit.",
            ProblemKind::HeadersTooLarge => "The request headers are larger than 16 KiB.",
            ProblemKind::UnsupportedMediaType => "The request body is not `application/json`.",
            ProblemKind::TooManyRequests => {
                "The organisation's request budget is used up; wait `Retry-After` seconds."
            }
            ProblemKind::Internal => {
                "An unexpected error; the cause is logged with the `request_id`, not sent."
            }
            ProblemKind::Unavailable => {
                "The database is out of reach or the request ran out of time; retry after \
                 `Retry-After` seconds (writes with an `Idempotency-Key` are safe to retry)."
            }
        }
    }

    pub const fn status(self) -> StatusCode {
        match self {
            ProblemKind::InvalidRequest => StatusCode::BAD_REQUEST,
            ProblemKind::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ProblemKind::Forbidden => StatusCode::FORBIDDEN,
            ProblemKind::NotFound => StatusCode::NOT_FOUND,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::IllegalTransition
            | ProblemKind::IllegalReferralAction
            | ProblemKind::OpenTrajectoryExists
            | ProblemKind::OpenReferralExists
            | ProblemKind::ConsentRequired
            | ProblemKind::ConsentAlreadyWithdrawn
            | ProblemKind::AlertAlreadyHandled
            | ProblemKind::TrajectoryClosed
            | ProblemKind::OfferClosed
            | ProblemKind::IdentifierTaken
            | ProblemKind::InvitationClosed
            | ProblemKind::LegalHold => StatusCode::CONFLICT,
            ProblemKind::Expired => StatusCode::GONE,
            ProblemKind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ProblemKind::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ProblemKind::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ProblemKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub const fn slug(self) -> &'static str {
        match self {
            ProblemKind::InvalidRequest => "invalid-request",
            ProblemKind::ValidationFailed => "validation-failed",
            ProblemKind::Unauthorized => "unauthorized",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::NotFound => "not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::IllegalTransition => "illegal-transition",
            ProblemKind::IllegalReferralAction => "illegal-referral-action",
            ProblemKind::OpenTrajectoryExists => "open-trajectory-exists",
            ProblemKind::OpenReferralExists => "open-referral-exists",
            ProblemKind::ConsentRequired => "consent-required",
            ProblemKind::ConsentAlreadyWithdrawn => "consent-already-withdrawn",
            ProblemKind::AlertAlreadyHandled => "alert-already-handled",
            ProblemKind::TrajectoryClosed => "trajectory-closed",
            ProblemKind::OfferClosed => "offer-closed",
            ProblemKind::IdentifierTaken => "identifier-taken",
            ProblemKind::InvitationClosed => "invitation-closed",
            ProblemKind::LegalHold => "legal-hold",
            ProblemKind::Expired => "expired",
            ProblemKind::PreconditionFailed => "precondition-failed",
            ProblemKind::PreconditionRequired => "precondition-required",
            ProblemKind::IdempotencyKeyReused => "idempotency-key-reused",
            ProblemKind::PayloadTooLarge => "payload-too-large",
            ProblemKind::HeadersTooLarge => "headers-too-large",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::TooManyRequests => "too-many-requests",
            ProblemKind::Internal => "internal",
            ProblemKind::Unavailable => "unavailable",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            ProblemKind::InvalidRequest => "Invalid request",
            ProblemKind::ValidationFailed => "Validation failed",
            ProblemKind::Unauthorized => "Unauthorized",
            ProblemKind::Forbidden => "Forbidden",
            ProblemKind::NotFound => "Not found",
            ProblemKind::MethodNotAllowed => "Method not allowed",
            ProblemKind::IllegalTransition => "Transition not allowed",
            ProblemKind::IllegalReferralAction => "Referral action not allowed",
            ProblemKind::OpenTrajectoryExists => "Client already has an open trajectory",
            ProblemKind::OpenReferralExists => "An identical referral is still open",
            ProblemKind::ConsentRequired => "Client consent required",
            ProblemKind::ConsentAlreadyWithdrawn => "Consent already withdrawn",
            ProblemKind::AlertAlreadyHandled => "Alert already handled",
            ProblemKind::TrajectoryClosed => "Trajectory closed",
            ProblemKind::OfferClosed => "Offer no longer open",
            ProblemKind::IdentifierTaken => "Identifier already in use",
            ProblemKind::InvitationClosed => "Invitation closed",
            ProblemKind::LegalHold => "Under legal hold",
            ProblemKind::Expired => "Older than the retention",
            ProblemKind::PreconditionFailed => "Precondition failed",
            ProblemKind::PreconditionRequired => "Precondition required",
            ProblemKind::IdempotencyKeyReused => "Idempotency-Key reused",
            ProblemKind::PayloadTooLarge => "Payload too large",
            ProblemKind::HeadersTooLarge => "Request headers too large",
            ProblemKind::UnsupportedMediaType => "Unsupported media type",
            ProblemKind::TooManyRequests => "Too many requests",
            ProblemKind::Internal => "Internal server error",
            ProblemKind::Unavailable => "Service unavailable",
        }
    }

    pub fn type_uri(self) -> String {
        format!("{PROBLEM_BASE}{}", self.slug())
    }

    /// The problem body for this kind with a detail text.
    pub fn problem(self, detail: Option<String>) -> Problem {
        Problem {
            kind: self.type_uri(),
            title: self.title().to_owned(),
            status: self.status().as_u16(),
            detail,
            instance: None,
            allowed: None,
            request_id: None,
        }
    }
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    Validation(String),
    /// Deliberately without detail: every authentication failure looks the same.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("no such resource")]
    NotFound,
    #[error("method not allowed; allowed: {}", .allow.join(", "))]
    MethodNotAllowed { allow: Vec<String> },
    #[error("{detail}")]
    IllegalTransition { detail: String, allowed: Vec<Phase> },
    #[error("{detail}")]
    IllegalReferralAction {
        detail: String,
        allowed: Vec<ReferralAction>,
    },
    #[error("an open referral of this kind to this organisation exists: {0}")]
    OpenReferralExists(ReferralId),
    #[error("{0}")]
    ConsentRequired(String),
    #[error("this consent was already withdrawn")]
    ConsentAlreadyWithdrawn,
    #[error("{0}")]
    AlertAlreadyHandled(String),
    #[error("{0}")]
    TrajectoryClosed(String),
    #[error("{0}")]
    OfferClosed(String),
    #[error("another object of this organisation already has the identifier {0}")]
    IdentifierTaken(String),
    #[error("{0}")]
    Expired(String),
    #[error("{0}")]
    InvitationClosed(String),
    #[error("{0}")]
    LegalHold(String),
    /// Too many wrong invitation codes: this person waits.
    #[error("{detail}")]
    LockedOut { retry_after: u64, detail: String },
    #[error("the client already has an open trajectory at this provider: {0}")]
    OpenTrajectoryExists(TrajectoryId),
    #[error("If-Match does not match the current version; the current ETag is \"{current}\"")]
    PreconditionFailed { current: u32 },
    #[error("this request changes state and needs an If-Match header with the resource's ETag")]
    PreconditionRequired,
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    HeadersTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("this organisation's request budget is used up; retry after {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    #[error("{0}")]
    Unavailable(String),
    /// The cause is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn kind(&self) -> ProblemKind {
        match self {
            ApiError::InvalidRequest(_) => ProblemKind::InvalidRequest,
            ApiError::Validation(_) => ProblemKind::ValidationFailed,
            ApiError::Unauthorized => ProblemKind::Unauthorized,
            ApiError::Forbidden(_) => ProblemKind::Forbidden,
            ApiError::NotFound => ProblemKind::NotFound,
            ApiError::MethodNotAllowed { .. } => ProblemKind::MethodNotAllowed,
            ApiError::IllegalTransition { .. } => ProblemKind::IllegalTransition,
            ApiError::IllegalReferralAction { .. } => ProblemKind::IllegalReferralAction,
            ApiError::OpenReferralExists(_) => ProblemKind::OpenReferralExists,
            ApiError::ConsentRequired(_) => ProblemKind::ConsentRequired,
            ApiError::ConsentAlreadyWithdrawn => ProblemKind::ConsentAlreadyWithdrawn,
            ApiError::AlertAlreadyHandled(_) => ProblemKind::AlertAlreadyHandled,
            ApiError::TrajectoryClosed(_) => ProblemKind::TrajectoryClosed,
            ApiError::OfferClosed(_) => ProblemKind::OfferClosed,
            ApiError::IdentifierTaken(_) => ProblemKind::IdentifierTaken,
            ApiError::Expired(_) => ProblemKind::Expired,
            ApiError::InvitationClosed(_) => ProblemKind::InvitationClosed,
            ApiError::LegalHold(_) => ProblemKind::LegalHold,
            ApiError::LockedOut { .. } => ProblemKind::TooManyRequests,
            ApiError::OpenTrajectoryExists(_) => ProblemKind::OpenTrajectoryExists,
            ApiError::PreconditionFailed { .. } => ProblemKind::PreconditionFailed,
            ApiError::PreconditionRequired => ProblemKind::PreconditionRequired,
            ApiError::IdempotencyKeyReused => ProblemKind::IdempotencyKeyReused,
            ApiError::PayloadTooLarge(_) => ProblemKind::PayloadTooLarge,
            ApiError::HeadersTooLarge(_) => ProblemKind::HeadersTooLarge,
            ApiError::UnsupportedMediaType(_) => ProblemKind::UnsupportedMediaType,
            ApiError::TooManyRequests { .. } => ProblemKind::TooManyRequests,
            ApiError::Unavailable(_) => ProblemKind::Unavailable,
            ApiError::Internal(_) => ProblemKind::Internal,
        }
    }

    fn problem(&self) -> Problem {
        let mut problem = self.kind().problem(Some(self.to_string()));
        match self {
            ApiError::IllegalTransition { allowed, .. } => {
                problem.allowed = Some(allowed.iter().map(|p| p.as_str().to_owned()).collect());
            }
            ApiError::IllegalReferralAction { allowed, .. } => {
                problem.allowed = Some(allowed.iter().map(|a| a.as_str().to_owned()).collect());
            }
            _ => {}
        }
        problem
    }
}

impl From<DomainError> for ApiError {
    /// The one place a capability's refusal becomes a problem type; every refusal not
    /// named here is a validation problem about the field its message names.
    fn from(err: DomainError) -> Self {
        use herstelbrug_domain::person::error::PersonError;
        use herstelbrug_domain::{
            AlertError, CatalogError, ConsentError, OfferError, ReferralError, TrajectoryError,
        };
        let detail = err.to_string();
        match err {
            DomainError::Trajectory(TrajectoryError::IllegalTransition { allowed, .. }) => {
                ApiError::IllegalTransition { allowed, detail }
            }
            DomainError::Referral(ReferralError::IllegalReferralAction { allowed, .. }) => {
                ApiError::IllegalReferralAction { allowed, detail }
            }
            DomainError::Referral(ReferralError::ConsentRequired { .. }) => {
                ApiError::ConsentRequired(detail)
            }
            DomainError::Consent(ConsentError::ConsentAlreadyWithdrawn) => {
                ApiError::ConsentAlreadyWithdrawn
            }
            DomainError::Alert(AlertError::AlertAlready(_)) => {
                ApiError::AlertAlreadyHandled(detail)
            }
            DomainError::Referral(ReferralError::TrajectoryClosed) => {
                ApiError::TrajectoryClosed(detail)
            }
            DomainError::Offer(OfferError::OfferClosed { .. }) => ApiError::OfferClosed(detail),
            DomainError::Person(
                PersonError::InvitationClosed { .. } | PersonError::AlreadyLinked,
            ) => ApiError::InvitationClosed(detail),
            DomainError::Person(PersonError::LockedOut { retry_after, .. }) => {
                ApiError::LockedOut {
                    retry_after,
                    detail,
                }
            }
            DomainError::Referral(ReferralError::NotYourAction { .. })
            | DomainError::Catalog(CatalogError::UnregisteredOwner { .. }) => {
                ApiError::Forbidden(detail)
            }
            _ => ApiError::Validation(detail),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::ReadOnly { detail } => ApiError::Forbidden(detail),
            StoreError::VersionMismatch { current } => ApiError::PreconditionFailed { current },
            StoreError::OpenTrajectoryExists { existing } => {
                ApiError::OpenTrajectoryExists(existing)
            }
            StoreError::IdempotencyKeyReused => ApiError::IdempotencyKeyReused,
            StoreError::IdentifierTaken { identifier } => ApiError::IdentifierTaken(identifier),
            StoreError::Expired { detail } => ApiError::Expired(detail),
            StoreError::Held { reason } => ApiError::LegalHold(format!(
                "this trajectory is under a legal hold ({reason}); lift the hold first"
            )),
            StoreError::OpenReferralExists { existing } => ApiError::OpenReferralExists(existing),
            StoreError::Domain(domain) => domain.into(),
            StoreError::Corrupt(detail) => ApiError::Internal(format!("corrupt row: {detail}")),
            err if err.is_unavailable() => {
                tracing::warn!(error = %err, "database unreachable; answering 503");
                ApiError::Unavailable(UNREACHABLE.to_owned())
            }
            StoreError::Unavailable(cause) => ApiError::Internal(cause),
            StoreError::Database(db) => ApiError::Internal(format!("database: {db}")),
        }
    }
}

/// What a caller is told while the database is out of reach.
pub const UNREACHABLE: &str = "the database is unreachable; nothing was changed, retry shortly";

/// Seconds a caller should wait before retrying a 503.
pub const RETRY_UNAVAILABLE_SECONDS: u32 = 2;

/// The problem+json response for `problem`; used by [`ApiError`] and the fallback handlers.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().status()
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
        let mut response = problem_response(&self.problem());
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(
                        "Bearer realm=\"herstelbrug\", error=\"invalid_token\"",
                    ),
                );
            }
            ApiError::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, value);
                }
            }
            ApiError::TooManyRequests { retry_after } | ApiError::LockedOut { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            ApiError::Unavailable(_) => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(RETRY_UNAVAILABLE_SECONDS),
                );
            }
            ApiError::PreconditionFailed { current } => {
                if let Ok(value) = HeaderValue::from_str(&crate::http::version_tag::etag(*current))
                {
                    headers.insert(header::ETAG, value);
                }
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_leak_their_cause() {
        let err = ApiError::Internal("SELECT * FROM trajectories failed: syntax".into());
        let problem = err.problem();
        assert_eq!(problem.status, 500);
        assert_eq!(problem.detail.as_deref(), Some("internal error"));
    }

    #[test]
    fn every_kind_has_a_distinct_slug() {
        use ProblemKind::*;
        let kinds = [
            InvalidRequest,
            ValidationFailed,
            Unauthorized,
            Forbidden,
            NotFound,
            MethodNotAllowed,
            IllegalTransition,
            IllegalReferralAction,
            OpenTrajectoryExists,
            OpenReferralExists,
            ConsentRequired,
            ConsentAlreadyWithdrawn,
            AlertAlreadyHandled,
            TrajectoryClosed,
            OfferClosed,
            IdentifierTaken,
            InvitationClosed,
            LegalHold,
            Expired,
            PreconditionFailed,
            PreconditionRequired,
            IdempotencyKeyReused,
            PayloadTooLarge,
            HeadersTooLarge,
            UnsupportedMediaType,
            TooManyRequests,
            Internal,
            Unavailable,
        ];
        assert_eq!(&kinds, ProblemKind::ALL, "ALL lists every kind once");
        let mut slugs: Vec<_> = kinds.iter().map(|k| k.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), kinds.len());
    }
}
