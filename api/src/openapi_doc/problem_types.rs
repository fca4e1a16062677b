//! `Problem.type` as the enum of its stable URIs, each described, from the one list of
//! problem kinds the server maps errors to.

use serde_json::{Value, json};

use crate::error::ProblemKind;

pub fn apply(doc: &mut Value) {
    let uris: Vec<String> = ProblemKind::ALL.iter().map(|k| k.type_uri()).collect();
    let table: String = ProblemKind::ALL
        .iter()
        .map(|k| {
            format!(
                "\n| `{}` | {} | {} |",
                k.slug(),
                k.status().as_u16(),
                k.description()
            )
        })
        .collect();
    let descriptions: serde_json::Map<String, Value> = ProblemKind::ALL
        .iter()
        .map(|k| (k.type_uri(), json!(k.description())))
        .collect();
    doc["components"]["schemas"]["Problem"]["properties"]["type"] = json!({
        "type": "string",
        "format": "uri",
        "enum": uris,
        "x-enum-descriptions": descriptions,
        "description": format!(
            "The kind of problem: a stable URI under `https://herstelbrug.nl/problems/`, safe \
             to switch on.\n\n| slug | status | meaning |\n|---|---|---|{table}"
        ),
    });
}
