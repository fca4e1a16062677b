//! The scopes each operation needs, from the one policy table the server enforces, in the
//! operation's security requirement (OpenAPI 3.1 lists roles for any scheme) and its text.

use serde_json::{Value, json};

use super::operations;
use crate::auth::policy::allowed_scopes;

pub fn apply(doc: &mut Value) {
    for (path, method, op) in operations(doc) {
        if !op["security"].is_array() {
            continue;
        }
        let Some(scopes) = allowed_scopes(&method, &path) else {
            continue;
        };
        let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        // One requirement per scope: any of them will do (a list in one would need all).
        op["security"] = Value::Array(
            names
                .iter()
                .map(|n| json!({ herstelbrug_openapi::BEARER: [n] }))
                .collect(),
        );
        let listed = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let about = op["description"]
            .as_str()
            .unwrap_or_default()
            .trim_end()
            .to_owned();
        let sep = if about.is_empty() { "" } else { "\n\n" };
        op["description"] = json!(format!("{about}{sep}Scopes (any of): {listed}."));
    }
}
