//! The problem responses every operation can give, added once here so each handler
//! documents only its own.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, Ref, Response, ResponseBuilder};

use herstelbrug_openapi::PROBLEM_CONTENT_TYPE;

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
