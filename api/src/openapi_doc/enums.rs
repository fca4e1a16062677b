//! Named component enums instead of repeated inline ones, and `oneOf [$ref, null]`
//! instead of `null` inside an enum (generators otherwise make a type per use, and
//! Python's three classes of one nullable enum).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::dto::schema::named_enums;

pub fn apply(doc: &mut Value) {
    let mut by_values: BTreeMap<Vec<String>, &'static str> = BTreeMap::new();
    let mut components = Map::new();
    for (name, schema) in named_enums() {
        let schema = serde_json::to_value(schema).unwrap_or(Value::Null);
        by_values.insert(values(&schema["enum"]), name);
        components.insert(name.to_owned(), schema);
    }
    hoist(&mut doc["paths"], &by_values);
    hoist(&mut doc["components"]["schemas"], &by_values);
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("components.schemas is an object");
    for (name, schema) in components {
        schemas.insert(name, schema);
    }
    schemas.sort_keys();
}

/// The non-null values of an `enum` array, sorted (the key that names it).
fn values(listed: &Value) -> Vec<String> {
    let mut values: Vec<String> = listed
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    values.sort_unstable();
    values
}

fn hoist(node: &mut Value, by_values: &BTreeMap<Vec<String>, &'static str>) {
    match node {
        Value::Object(object) => {
            if let Some(name) = object.get("enum").and_then(|e| by_values.get(&values(e))) {
                let nullable = object["enum"]
                    .as_array()
                    .is_some_and(|v| v.contains(&Value::Null));
                let reference = json!({"$ref": format!("#/components/schemas/{name}")});
                let mut replaced = Map::new();
                if nullable {
                    replaced.insert("oneOf".into(), json!([reference, {"type": "null"}]));
                } else {
                    replaced.extend(reference.as_object().cloned().unwrap_or_default());
                }
                for kept in ["description", "default", "examples"] {
                    if let Some(value) = object.get(kept) {
                        replaced.insert(kept.into(), value.clone());
                    }
                }
                *object = replaced;
                return;
            }
            for value in object.values_mut() {
                hoist(value, by_values);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| hoist(v, by_values)),
        _ => {}
    }
}
