//! `GET /fhir/metadata`: the CapabilityStatement, describing exactly what is served,
//! made from the same search parameter tables the searches check against.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use super::search::{COMMON, SearchParam};
use super::{episode_of_care, healthcare_service, respond, task};

/// When this statement last changed in substance.
const PUBLISHED: &str = "2026-12-03";

/// The resources served, with their own search parameters and what they hold.
fn resources() -> [(&'static str, &'static [SearchParam], &'static str); 3] {
    [
        (
            "Task",
            &task::SEARCH,
            "Referrals (vervolgverwijzingen): the requester and the recipient each see their own view. businessStatus carries our status.",
        ),
        (
            "EpisodeOfCare",
            &episode_of_care::SEARCH,
            "Care trajectories of the caller's own clients (scope provider; admin reads all). type carries the phase.",
        ),
        (
            "HealthcareService",
            &healthcare_service::SEARCH,
            "The catalog of follow-up services: any authenticated organisation.",
        ),
    ]
}

fn search_param(p: &SearchParam) -> Value {
    json!({"name": p.name, "type": p.kind, "documentation": p.documentation})
}

/// The statement; public, as FHIR clients read it before they have a token.
pub fn statement(base: &str) -> Value {
    let resources: Vec<Value> = resources()
        .iter()
        .map(|(kind, own, documentation)| {
            let params: Vec<Value> = COMMON
                .iter()
                .filter(|p| !matches!(p.name, "_count" | "_cursor"))
                .chain(own.iter())
                .map(search_param)
                .collect();
            json!({
                "type": kind,
                "documentation": documentation,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "versioning": "versioned",
                "readHistory": false,
                "updateCreate": false,
                "searchParam": params,
            })
        })
        .collect();
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": PUBLISHED,
        "publisher": "Herstelbrug",
        "kind": "instance",
        "software": {"name": "Herstelbrug", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {
            "description": "Read-only FHIR R4 views of Herstelbrug's referrals, trajectories and catalog",
            "url": base,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [{
            "mode": "server",
            "documentation": "Read and search only; every search also takes _count (1-100, default 20). Unknown search parameters are refused (400). Errors are OperationOutcome resources.",
            "security": {
                "service": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                    "code": "OAuth",
                }]}],
                "description": "A bearer token (JWT) as for /v1, with the same scopes and organisation rules; every access is in the client's access log.",
            },
            "resource": resources,
        }],
    })
}

/// `GET /fhir/metadata`.
pub async fn metadata(req: HttpRequest) -> HttpResponse {
    respond(StatusCode::OK, &statement(&super::base_url(&req)))
}
