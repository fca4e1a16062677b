//! The read-only FHIR R4 views under `/fhir`: referrals as `Task`, trajectories as
//! `EpisodeOfCare`, catalog services as `HealthcareService`, with the same tokens, route
//! policy and access log as `/v1`. The contract is the `CapabilityStatement` at
//! `/fhir/metadata`, not the OpenAPI document: FHIR clients read that.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

pub mod audit_event;
mod bundle;
mod capability;
pub(crate) mod episode_of_care;
mod healthcare_service;
mod outcome;
mod reference;
mod search;
pub(crate) mod task;

pub use outcome::FhirError;

/// FHIR's JSON media type, with the version served.
pub const FHIR_JSON: &str = "application/fhir+json; fhirVersion=4.0";

/// The FHIR base path; `Bundle.link` and references are made from it.
pub const BASE: &str = "/fhir";

/// The interactions that need a token, as the route policy names them.
pub const GUARDED: [&str; 6] = [
    "/fhir/Task",
    "/fhir/Task/{rid}",
    "/fhir/EpisodeOfCare",
    "/fhir/EpisodeOfCare/{id}",
    "/fhir/HealthcareService",
    "/fhir/HealthcareService/{id}",
];

/// Everything under `/fhir`.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope(BASE)
            .wrap(DefaultHeaders::new().add(("Cache-Control", "no-store")))
            .wrap(actix_web::middleware::from_fn(
                crate::http::access_log::record,
            ))
            .route("/metadata", web::get().to(capability::metadata))
            .route("/Task", web::get().to(task::search))
            .route("/Task/{rid}", web::get().to(task::read))
            .route("/EpisodeOfCare", web::get().to(episode_of_care::search))
            .route("/EpisodeOfCare/{id}", web::get().to(episode_of_care::read))
            .route(
                "/HealthcareService",
                web::get().to(healthcare_service::search),
            )
            .route(
                "/HealthcareService/{id}",
                web::get().to(healthcare_service::read),
            )
            .default_service(web::to(outcome::unmatched)),
    );
}

/// A FHIR JSON response with `resource`; a resource with `meta.versionId` gets it as
/// a weak ETag, as FHIR's read interaction asks.
fn respond(status: StatusCode, resource: &Value) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CONTENT_TYPE, FHIR_JSON));
    if let Some(version) = resource["meta"]["versionId"].as_str()
        && let Ok(tag) = HeaderValue::from_str(&format!("W/\"{version}\""))
    {
        response.insert_header((header::ETAG, tag));
    }
    response.body(resource.to_string())
}

/// A read's answer: 304 when `If-None-Match` names the resource's version (weak
/// comparison, as FHIR's conditional read asks), the resource otherwise.
fn read_answer(req: &HttpRequest, resource: &Value) -> HttpResponse {
    let version = resource["meta"]["versionId"].as_str().unwrap_or_default();
    if !version.is_empty() && crate::http::etag::none_match_names(req, version) {
        let mut unchanged = HttpResponse::NotModified();
        if let Ok(tag) = HeaderValue::from_str(&format!("W/\"{version}\"")) {
            unchanged.insert_header((header::ETAG, tag));
        }
        return unchanged.finish();
    }
    respond(StatusCode::OK, resource)
}

/// The absolute base URL of the FHIR endpoint: from the configured public base, never
/// from `Host` or forwarding headers (a forged one would hand out links to another site).
fn base_url(req: &HttpRequest) -> String {
    let base = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map_or("", |state| state.public_base.as_str());
    format!("{base}{BASE}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_covers_exactly_the_guarded_fhir_routes() {
        let mut covered: Vec<&str> = crate::auth::policy::POLICY
            .iter()
            .filter(|(m, p, _)| *m == "GET" && p.starts_with("/fhir/"))
            .map(|(_, p, _)| *p)
            .collect();
        covered.sort_unstable();
        let mut guarded = super::GUARDED.to_vec();
        guarded.sort_unstable();
        assert_eq!(covered, guarded);
    }
}
