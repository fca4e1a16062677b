//! Examples for every request and response body, from a real exchange with fictional
//! Dutch data (`openapi/capture-examples.sh` writes `openapi/examples/captured.json`),
//! plus the few answers a fresh server cannot give at once (`manual.json`: an outcome check
//! falls due 30 days after closure).

use serde_json::Value;

const CAPTURED: &str = include_str!("../../../openapi/examples/captured.json");
const MANUAL: &str = include_str!("../../../openapi/examples/manual.json");

pub fn apply(doc: &mut Value) {
    let captured: Value = serde_json::from_str(CAPTURED).unwrap_or(Value::Null);
    let manual: Value = serde_json::from_str(MANUAL).unwrap_or(Value::Null);
    for (_, _, op) in super::operations(doc) {
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        let sources = [&manual[&id], &captured[&id]];
        if let Some(media) = op
            .get_mut("requestBody")
            .and_then(|b| b.get_mut("content"))
            .and_then(|c| c.get_mut("application/json"))
            && let Some(example) = sources.iter().map(|s| &s["request"]).find(|e| !e.is_null())
        {
            media["example"] = example.clone();
        }
        let responses = op.get_mut("responses").and_then(Value::as_object_mut);
        for (status, response) in responses.into_iter().flatten() {
            for kind in ["application/json", "application/fhir+json"] {
                let Some(media) = response.get_mut("content").and_then(|c| c.get_mut(kind)) else {
                    continue;
                };
                if let Some(example) = sources
                    .iter()
                    .map(|s| &s["responses"][status.as_str()])
                    .find(|e| !e.is_null())
                {
                    media["example"] = example.clone();
                }
            }
        }
    }
}
