//! Errors under `/fhir` as FHIR `OperationOutcome` resources: the same statuses and
//! headers as the problem+json of `/v1` (one mapping, in `ApiError`), in FHIR's shape.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::error::ApiError;

/// An [`ApiError`] answered as an `OperationOutcome`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct FhirError(#[from] pub ApiError);

impl From<herstelbrug_persistence::StoreError> for FhirError {
    fn from(err: herstelbrug_persistence::StoreError) -> Self {
        Self(err.into())
    }
}

/// A search parameter or path value the caller got wrong: 400, naming it.
pub fn invalid(detail: impl Into<String>) -> FhirError {
    FhirError(ApiError::InvalidRequest(detail.into()))
}

/// A logical id in a read's path: ours are UUIDs, anything else names nothing (404).
pub fn logical_id(raw: &str) -> Result<uuid::Uuid, FhirError> {
    raw.parse().map_err(|_| FhirError(ApiError::NotFound))
}

/// FHIR's issue type (value set issue-type) for a status.
fn issue_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "invalid",
        401 => "login",
        403 => "forbidden",
        404 => "not-found",
        405 | 406 => "not-supported",
        410 => "deleted",
        429 => "throttled",
        503 | 504 => "transient",
        _ => "exception",
    }
}

/// An `OperationOutcome` with one error issue.
pub fn operation_outcome(status: StatusCode, detail: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{
            "severity": "error",
            "code": issue_code(status),
            "diagnostics": detail,
        }],
    })
}

impl ResponseError for FhirError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        // Built by `ApiError` first: it logs internal causes and sets the headers
        // (WWW-Authenticate, Retry-After, Allow) the status needs.
        let original = self.0.error_response();
        let status = original.status();
        let mut response = HttpResponse::build(status);
        for (name, value) in original.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                response.append_header((name.clone(), value.clone()));
            }
        }
        response
            .insert_header((header::CONTENT_TYPE, super::FHIR_JSON))
            .body(operation_outcome(status, &self.0.to_string()).to_string())
    }
}

/// The caller of a `/fhir` interaction: a [`Principal`] whose refusal is an
/// `OperationOutcome`.
pub struct FhirCaller(pub Principal);

impl FromRequest for FhirCaller {
    type Error = FhirError;
    type Future = Ready<Result<Self, FhirError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(
            Principal::from_request(req, payload)
                .into_inner()
                .map(FhirCaller)
                .map_err(FhirError),
        )
    }
}

/// Anything under `/fhir` that is not served: 405 for a write (the views are
/// read-only), 404 otherwise.
pub async fn unmatched(req: HttpRequest) -> Result<HttpResponse, FhirError> {
    if req.method() != Method::GET {
        return Err(FhirError(ApiError::MethodNotAllowed {
            allow: vec!["GET".to_owned()],
        }));
    }
    Err(FhirError(ApiError::NotFound))
}
