//! The full OpenAPI document: the document-level definition from `herstelbrug-openapi`,
//! the paths of the routes as registered, then passes that add what the route macros
//! cannot say (shared problems, headers, scopes, named enums, problem types, links,
//! examples).

use actix_web::App;
use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::middleware::DefaultHeaders;
use herstelbrug_openapi::ApiDoc;
use serde_json::Value;
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};

use crate::routes;

mod constraints;
mod enums;
mod examples;
mod headers;
mod links;
mod problem_types;
mod responses;
mod scopes;
mod unions;

pub use responses::add_shared_problems;

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
pub fn document() -> Value {
    let (_, mut doc) = documented_routes(App::new().into_utoipa_app()).split_for_parts();
    add_shared_problems(&mut doc);
    finish(&doc)
}

/// The passes over the routes' document, as JSON: each says in one place what would
/// otherwise be repeated on every operation.
pub fn finish(doc: &utoipa::openapi::OpenApi) -> Value {
    let mut json = serde_json::to_value(doc).unwrap_or(Value::Null);
    headers::apply(&mut json);
    scopes::apply(&mut json);
    enums::apply(&mut json);
    constraints::apply(&mut json);
    problem_types::apply(&mut json);
    unions::apply(&mut json);
    links::apply(&mut json);
    examples::apply(&mut json);
    json
}

/// Every operation of the document with its path and method.
fn operations(doc: &mut Value) -> impl Iterator<Item = (String, String, &mut Value)> {
    doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.iter_mut())
        .flat_map(|(path, item)| {
            let path = path.clone();
            item.as_object_mut()
                .into_iter()
                .flat_map(|ops| ops.iter_mut())
                .map(move |(method, op)| (path.clone(), method.to_uppercase(), op))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");

    #[test]
    fn committed_spec_is_current() {
        let generated = serde_json::to_string_pretty(&document()).expect("serializes");
        let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
        assert!(
            committed.trim_end() == generated.trim_end(),
            "openapi/openapi.json is stale: run `cargo run -p herstelbrug-api -- openapi > openapi/openapi.json`"
        );
    }

    #[test]
    fn document_is_openapi_3_1_and_secures_v1() {
        let json = document();
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

    fn all_operations(doc: &mut Value) -> Vec<(String, String, Value)> {
        operations(doc)
            .map(|(path, method, op)| (path, method, op.clone()))
            .collect()
    }

    #[test]
    fn every_operation_is_described_and_lists_the_scopes_the_policy_allows() {
        let mut doc = document();
        for (path, method, op) in all_operations(&mut doc) {
            let description = op["description"].as_str().unwrap_or_default();
            let own = description
                .split("Scopes (any of)")
                .next()
                .unwrap_or_default();
            assert!(
                own.trim().len() > 20,
                "{method} {path} has no description of its own"
            );
            if !path.starts_with("/v1/") {
                continue;
            }
            if crate::auth::policy::is_person_route(&path) {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{ herstelbrug_openapi::PERSON: [] }]),
                    "{method} {path}: person routes take the person scheme only"
                );
                assert!(op["responses"]["429"]["headers"]["Retry-After"].is_object());
                continue;
            }
            let listed: Vec<&str> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["bearer"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            let allowed: Vec<&str> = crate::auth::policy::allowed_scopes(&method, &path)
                .unwrap_or_default()
                .iter()
                .map(|s| s.as_str())
                .collect();
            assert_eq!(listed, allowed, "{method} {path}");
            assert!(op["responses"]["429"]["headers"]["Retry-After"].is_object());
        }
    }

    #[test]
    fn headers_are_never_null_and_if_match_takes_rfc_9110_lists() {
        let mut doc = document();
        let pattern = regex::Regex::new(headers::IF_MATCH_PATTERN).expect("a valid pattern");
        for (path, method, op) in all_operations(&mut doc) {
            let keyed = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "Idempotency-Key");
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "header" {
                    assert!(
                        parameter["schema"]["type"] == "string",
                        "{method} {path}: header {} is a plain string",
                        parameter["name"]
                    );
                }
                if parameter["name"] == "If-Match" {
                    assert_eq!(parameter["schema"]["pattern"], headers::IF_MATCH_PATTERN);
                }
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                if keyed && status.starts_with('2') {
                    assert!(
                        response["headers"]["Idempotent-Replayed"].is_object(),
                        "{method} {path} {status} documents Idempotent-Replayed"
                    );
                }
            }
        }
        // The pattern admits exactly what the server reads (no 400 for a value the
        // document allows, no value taken that it forbids).
        let samples = [
            ("*", true),
            (" * ", true),
            ("\"3\"", true),
            ("W/\"3\", \"4\"", true),
            ("\"stale-0\"", true),
            (" \"1\" ,, \"2\" ", true),
            (",\"1\"", true),
            ("\"\"", true),
            ("3", false),
            ("\"3", false),
            ("*, \"3\"", false),
            ("\"a b\"", false),
            ("w/\"3\"", false),
            ("\"1\" \"2\"", false),
            ("", false),
            (",", false),
        ];
        for (value, valid) in samples {
            let req = actix_web::test::TestRequest::default()
                .insert_header(("If-Match", value))
                .to_http_request();
            let read = crate::http::etag::required_match(&req).is_ok();
            assert_eq!(read, valid, "server reading of {value:?}");
            assert_eq!(pattern.is_match(value), valid, "pattern on {value:?}");
        }
    }

    #[test]
    fn enums_are_named_components_and_null_is_a_oneof_branch() {
        fn walk(node: &Value, at: &str, top: bool) {
            match node {
                Value::Object(object) => {
                    if let Some(values) = object.get("enum").and_then(Value::as_array) {
                        assert!(!values.contains(&Value::Null), "{at}: null inside an enum");
                        assert!(
                            top || values.len() == 1 || at.contains("/Problem/"),
                            "{at}: inline enum {values:?} should be a named component"
                        );
                    }
                    for (key, value) in object {
                        walk(value, &format!("{at}/{key}"), false);
                    }
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, at, false)),
                _ => {}
            }
        }
        let doc = document();
        walk(&doc["paths"], "paths", false);
        for (name, schema) in doc["components"]["schemas"].as_object().expect("schemas") {
            walk(schema, &format!("/{name}"), true);
        }
    }

    #[test]
    fn problem_type_is_the_enum_of_every_kind() {
        let doc = document();
        let listed = &doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"];
        let expected: Vec<String> = crate::error::ProblemKind::ALL
            .iter()
            .map(|k| k.type_uri())
            .collect();
        assert_eq!(listed, &serde_json::json!(expected));
    }

    #[test]
    fn links_name_existing_operations_and_their_parameters() {
        let mut doc = document();
        let ops = all_operations(&mut doc);
        let by_id = |id: &str| {
            ops.iter()
                .find(|(_, _, op)| op["operationId"] == id)
                .map(|(_, _, op)| op.clone())
        };
        for (source, status, name, target, parameters) in links::LINKS {
            let source_op = by_id(source).unwrap_or_else(|| panic!("no operation {source}"));
            assert!(
                source_op["responses"][*status]["links"][*name].is_object(),
                "{source} {status} has link {name}"
            );
            let target_op = by_id(target).unwrap_or_else(|| panic!("no operation {target}"));
            for (parameter, expression) in *parameters {
                assert!(
                    target_op["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| p["name"] == *parameter),
                    "{target} has no parameter {parameter}"
                );
                if *expression == "$response.header.ETag" {
                    assert!(
                        source_op["responses"][*status]["headers"]["ETag"].is_object(),
                        "{source} {status} documents the ETag its link {name} uses"
                    );
                }
            }
        }
    }

    #[test]
    fn every_body_has_an_example() {
        let mut doc = document();
        let schemas = doc["components"]["schemas"].clone();
        let has_example = |media: &Value| {
            if media.get("example").is_some() || media.get("examples").is_some() {
                return true;
            }
            let name = media["schema"]["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .unwrap_or_default();
            schemas[name].get("example").is_some() || schemas[name].get("examples").is_some()
        };
        for (path, method, op) in all_operations(&mut doc) {
            for (kind, media) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                assert!(has_example(media), "{method} {path}: request body {kind}");
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                for (kind, media) in response["content"].as_object().into_iter().flatten() {
                    assert!(has_example(media), "{method} {path} {status}: {kind}");
                }
            }
        }
    }

    #[test]
    fn unions_name_their_discriminator_and_every_variant_has_it() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        for (union, property, variants) in unions::UNIONS {
            assert_eq!(schemas[*union]["discriminator"]["propertyName"], *property);
            for (_, variant) in *variants {
                let required = schemas[*variant]["required"].as_array().expect("required");
                assert!(
                    required.iter().any(|r| r == *property),
                    "{variant} always sends {property}"
                );
            }
        }
    }

    #[test]
    fn schema_constraints_say_what_the_parsers_accept() {
        let text = regex::Regex::new(constraints::TEXT_PATTERN).expect("pattern");
        for (value, valid) in [
            ("Woonruimte", true),
            ("twee\nregels", true),
            ("  rand  ", true),
            ("Cliënt", true),
            ("", false),
            ("   ", false),
            ("\n", false),
            ("tab\there", false),
            ("\trand", false),
            ("nul\u{0}", false),
            ("c1\u{85}", false),
        ] {
            let parsed = herstelbrug_domain::BoundedText::parse("text", value, 100).is_ok();
            assert_eq!(parsed, valid, "parser on {value:?}");
            assert_eq!(text.is_match(value), valid, "pattern on {value:?}");
        }
        let org = regex::Regex::new(crate::dto::schema::ORG_PATTERN).expect("pattern");
        for value in [
            "agb:12345678",
            "agb:00000000",
            "gemeente:0268",
            "gemeente:0000",
            "gemeente:0001",
            "informeel:000042",
            "informeel:000000",
            "informeel:100000",
            "gemeente:268",
        ] {
            let parsed = value.parse::<herstelbrug_domain::OrgId>().is_ok();
            assert_eq!(org.is_match(value), parsed, "org pattern on {value:?}");
        }
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        let needs = &schemas["CreateReferralRequest"]["properties"]["needs"];
        assert_eq!(needs["pattern"], constraints::TEXT_PATTERN);
        assert_eq!(needs["minLength"], 1);
        assert_eq!(
            schemas["CreateConsentRequest"]["properties"]["organisation"]["pattern"],
            crate::dto::schema::ORG_PATTERN
        );
        fn org_patterns(node: &Value, found: &mut Vec<String>) {
            match node {
                Value::Object(object) => {
                    if let Some(p) = object.get("pattern").and_then(Value::as_str)
                        && p.contains("gemeente:")
                    {
                        found.push(p.to_owned());
                    }
                    object.values().for_each(|v| org_patterns(v, found));
                }
                Value::Array(items) => items.iter().for_each(|v| org_patterns(v, found)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        org_patterns(&doc, &mut found);
        assert!(found.len() > 10);
        for pattern in found {
            assert!(
                pattern == crate::dto::schema::ORG_PATTERN
                    || pattern == crate::dto::schema::MUNICIPALITY_PATTERN,
                "every organisation pattern is one of the two: {pattern}"
            );
        }
        let municipality =
            regex::Regex::new(crate::dto::schema::MUNICIPALITY_PATTERN).expect("pattern");
        for value in ["gemeente:0268", "gemeente:0000", "agb:12345678"] {
            let parsed = herstelbrug_domain::GemeenteCode::parse(
                value.strip_prefix("gemeente:").unwrap_or("x"),
            )
            .is_ok()
                && value.starts_with("gemeente:");
            assert_eq!(municipality.is_match(value), parsed, "{value:?}");
        }
    }

    #[test]
    fn identifier_search_parameters_say_what_the_parser_reads() {
        let pattern = regex::Regex::new(crate::identifier::dto::TOKEN_PATTERN).expect("pattern");
        for (token, valid) in [
            ("https://ehr.example.nl/episodes|EP-1", true),
            ("urn:oid:1.2.3|a b", true),
            ("urn:x|v|w", true),
            ("no-bar", false),
            ("urn:x|", false),
            ("urn:x| v", false),
            ("episodes|1", false),
        ] {
            assert_eq!(pattern.is_match(token), valid, "pattern on {token:?}");
            let parsed = crate::identifier::dto::parse_token(token).is_ok();
            assert_eq!(parsed, valid, "parser on {token:?}");
        }
        let mut doc = document();
        let mut seen = 0;
        for (path, _, op) in all_operations(&mut doc) {
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                if parameter["name"] == "identifier" {
                    assert_eq!(
                        parameter["schema"]["pattern"],
                        crate::identifier::dto::TOKEN_PATTERN,
                        "{path}"
                    );
                    seen += 1;
                }
            }
        }
        assert_eq!(
            seen, 3,
            "trajectories, services and referrals take `identifier`"
        );
    }
}
