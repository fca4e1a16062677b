//! Constraints the server enforces, stated in the request schemas: free texts are
//! non-empty and free of control characters (what `BoundedText` checks), and a webhook
//! subscription has a URI and at least one event type. (Organisation ids get their
//! patterns where they are declared: `dto::schema::ORG_PATTERN`.)

use std::collections::BTreeSet;

use serde_json::{Value, json};

/// A free text: at least one character that is not white space, and no control character
/// but the newline (`BoundedText::parse`).
pub const TEXT_PATTERN: &str = r"^[^\u0000-\u0009\u000B-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0009\u000B-\u001F\u007F-\u009F]*$";

pub fn apply(doc: &mut Value) {
    let requests = request_schemas(doc);
    let schemas = &mut doc["components"]["schemas"];
    for name in requests {
        let Some(properties) = schemas[&name]
            .get_mut("properties")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for property in properties.values_mut() {
            let free_text = is_string(property)
                && property.get("maxLength").is_some()
                && property.get("pattern").is_none()
                && property.get("format").is_none()
                && property.get("enum").is_none();
            if free_text {
                property["minLength"] = json!(1);
                property["pattern"] = json!(TEXT_PATTERN);
            }
        }
    }
    let subscription = &mut schemas["CreateSubscriptionRequest"]["properties"];
    subscription["url"]["format"] = json!("uri");
    subscription["event_types"]["minItems"] = json!(1);
}

fn is_string(schema: &Value) -> bool {
    schema["type"] == "string"
        || schema["type"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("string")))
}

/// The component schemas a request body can contain, following references.
fn request_schemas(doc: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    for (_, item) in doc["paths"].as_object().into_iter().flatten() {
        for (_, op) in item.as_object().into_iter().flatten() {
            collect_refs(&op["requestBody"], &mut todo);
        }
    }
    while let Some(name) = todo.pop() {
        if found.insert(name.clone()) {
            collect_refs(&doc["components"]["schemas"][&name], &mut todo);
        }
    }
    found
}

fn collect_refs(node: &Value, into: &mut Vec<String>) {
    match node {
        Value::Object(object) => {
            if let Some(name) = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                into.push(name.to_owned());
            }
            object.values().for_each(|v| collect_refs(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, into)),
        _ => {}
    }
}
