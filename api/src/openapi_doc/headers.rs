//! Request and response headers as every operation shares them: `If-Match` in RFC 9110's
//! grammar, header parameters that are never `null`, `Retry-After` on 429 and 503, and
//! `Idempotent-Replayed` on the answers of operations that take an `Idempotency-Key`.

use serde_json::{Value, json};

use super::operations;

/// RFC 9110 `If-Match`: `*`, or a list of (possibly weak) entity-tags, empty list members
/// allowed (§5.6.1.2). What `http::etag` accepts, no more.
pub const IF_MATCH_PATTERN: &str =
    r#"^[ \t]*\*[ \t]*$|^[ \t,]*(W/)?"[!#-~]*"([ \t]*,[ \t,]*(W/)?"[!#-~]*")*[ \t,]*$"#;

pub fn apply(doc: &mut Value) {
    for (_, _, op) in operations(doc) {
        let keyed = parameters(op).any(|p| p["name"] == "Idempotency-Key");
        let secured = op["security"].is_array();
        let parameters = op.get_mut("parameters").and_then(Value::as_array_mut);
        for parameter in parameters.into_iter().flatten() {
            if parameter["in"] != "header" {
                continue;
            }
            not_null(&mut parameter["schema"]);
            if parameter["name"] == "If-Match" {
                parameter["schema"] = json!({"type": "string", "pattern": IF_MATCH_PATTERN});
                let about = parameter["description"]
                    .as_str()
                    .unwrap_or("The current ETag");
                parameter["description"] = json!(format!(
                    "{about}: the `ETag` of the last read or write. `*` applies the change to \
                     whatever version is current; a list applies it if one member is current. \
                     Weak tags never match (RFC 9110 §13.1.1): a stale or foreign tag is 412, \
                     a malformed field 400."
                ));
            }
            if parameter["name"] == "If-None-Match" {
                parameter["description"] = json!(
                    "The `ETag` as last read: 304 while it is still current (weak comparison; \
                     `*` or a list also work)."
                );
            }
        }
        let responses = &mut op["responses"];
        for (status, response) in responses.as_object_mut().into_iter().flatten() {
            if keyed && status.starts_with('2') {
                response["headers"]["Idempotent-Replayed"] = json!({
                    "description": "`true` when this is the stored answer to an earlier request \
                                    with the same Idempotency-Key (nothing was changed again).",
                    "schema": {"type": "string", "enum": ["true"]}
                });
            }
            if status == "503" {
                response["headers"]["Retry-After"] = retry_after(
                    "Seconds to wait before retrying (when the database is out of reach).",
                );
            }
        }
        if secured {
            responses["429"] = json!({
                "description": "This organisation's request budget for the minute is used up",
                "headers": {"Retry-After": retry_after("Seconds until the budget allows a request again.")},
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
            });
        }
    }
}

fn parameters(op: &Value) -> impl Iterator<Item = &Value> {
    op["parameters"].as_array().into_iter().flatten()
}

fn retry_after(description: &str) -> Value {
    json!({"description": description, "schema": {"type": "integer", "minimum": 0}})
}

/// `["string", "null"]` → `"string"`: a header is absent or has a value, never `null`.
fn not_null(schema: &mut Value) {
    if let Some(types) = schema["type"].as_array() {
        let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        schema["type"] = match rest.as_slice() {
            [one] => one.clone(),
            _ => Value::Array(rest),
        };
    }
}
