//! The full OpenAPI document: the document-level definition from `herstelbrug-openapi`,
//! the paths of the routes as registered, and the problem responses every operation shares.

use actix_web::App;
use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::middleware::DefaultHeaders;
use herstelbrug_openapi::{ApiDoc, PROBLEM_CONTENT_TYPE};
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, Ref, Response, ResponseBuilder};
use utoipa_actix_web::{AppExt, UtoipaApp};

use crate::routes;

/// Registers the routes with their documentation on `app`, before the server adds state
/// and middleware.
pub fn documented_routes<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(ApiDoc::openapi())
        .service(
            utoipa_actix_web::scope("/v1")
                .wrap(actix_web::middleware::from_fn(
                    crate::http::request_shape::check,
                ))
                // Responses under /v1 carry client data: no cache may keep them.
                .wrap(DefaultHeaders::new().add(("Cache-Control", "no-store")))
                .wrap(actix_web::middleware::from_fn(
                    crate::http::access_log::record,
                ))
                .configure(routes::v1),
        )
        .configure(routes::health::register)
}

/// The document as served at `/openapi.json` and committed as `openapi/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = documented_routes(App::new().into_utoipa_app()).split_for_parts();
    add_shared_problems(&mut doc);
    doc
}

/// Adds the problem responses that any operation can give, so each handler documents
/// only its own: 400 and 413/415 for input, 401/403 for secured operations, 500 for all.
pub fn add_shared_problems(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            add_to_operation(operation);
        }
    }
}

fn add_to_operation(operation: &mut Operation) {
    // OpenAPI requires `required: true` on every path parameter; utoipa leaves it false for
    // one documented through `schema_with` (the referral action).
    for parameter in operation.parameters.iter_mut().flatten() {
        if let utoipa::openapi::RefOr::T(parameter) = parameter
            && parameter.parameter_in == utoipa::openapi::path::ParameterIn::Path
        {
            parameter.required = utoipa::openapi::Required::True;
        }
    }
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_input = operation.request_body.is_some()
        || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let mut shared: Vec<(&str, &str)> = Vec::new();
    if has_input || secured {
        shared.push((
            "400",
            "The request is malformed: unreadable JSON, unknown fields, bad parameters",
        ));
    }
    if secured {
        shared.push((
            "401",
            "Missing, expired or invalid bearer token (one identical body for every cause)",
        ));
        shared.push((
            "403",
            "The token's scope or organisation does not allow this operation",
        ));
    }
    if operation.request_body.is_some() {
        shared.push(("413", "The request body is too large"));
        shared.push(("415", "The request body is not application/json"));
    }
    let keyed = operation.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p, utoipa::openapi::RefOr::T(p) if p.name == "Idempotency-Key"))
    });
    if keyed {
        shared.push((
            "422",
            "A rule is broken, or the Idempotency-Key was already used for another request",
        ));
    }
    if secured {
        shared.push(("431", "The request headers are larger than 16 KiB"));
    }
    shared.push((
        "503",
        "The database is out of reach (retry after `Retry-After` seconds) or the request ran out of time",
    ));
    shared.push(("500", "An unexpected error; the cause is logged, not sent"));
    for (status, description) in shared {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem_response(description).into());
    }
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_CONTENT_TYPE,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");

    #[test]
    fn committed_spec_is_current() {
        let generated = document().to_pretty_json().expect("serializes");
        let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
        assert!(
            committed.trim_end() == generated.trim_end(),
            "openapi/openapi.json is stale: run `cargo run -p herstelbrug-api -- openapi > openapi/openapi.json`"
        );
    }

    #[test]
    fn document_is_openapi_3_1_and_secures_v1() {
        let json = serde_json::to_value(document()).expect("serializes");
        assert_eq!(json["openapi"], "3.1.0");
        let paths = json["paths"].as_object().expect("paths");
        for (path, item) in paths {
            for (method, op) in item.as_object().expect("path item") {
                if path.starts_with("/v1/") || path == "/v1" {
                    assert!(op["security"].is_array(), "{method} {path} must be secured");
                    assert!(
                        op["responses"]["401"].is_object(),
                        "{method} {path} documents 401"
                    );
                }
            }
        }
        let mut ids: Vec<&str> = paths
            .values()
            .flat_map(|item| item.as_object().into_iter().flat_map(|ops| ops.values()))
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            count,
            "operation ids are unique (generated clients name methods by them)"
        );
        assert!(paths.contains_key("/v1/trajectories/{id}/transitions"));
        assert!(paths.contains_key("/health/ready"));
    }
}
