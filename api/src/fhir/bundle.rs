//! Search results as a FHIR `searchset` Bundle, with `self` and `next` links.

use actix_web::HttpRequest;
use serde_json::{Value, json};
use uuid::Uuid;

use super::search::Params;

/// A searchset of `resources` (each with its `resourceType` and `id`); `next` is where
/// the following page starts.
pub fn searchset(
    req: &HttpRequest,
    params: &Params,
    resources: Vec<Value>,
    next: Option<Uuid>,
) -> Value {
    let base = super::base_url(req);
    let path = req.path().strip_prefix(super::BASE).unwrap_or_default();
    let here = format!("{base}{path}");
    let mut links = vec![json!({
        "relation": "self",
        "url": if req.query_string().is_empty() { here.clone() } else { format!("{here}?{}", req.query_string()) },
    })];
    if let Some(next) = next {
        links.push(
            json!({"relation": "next", "url": format!("{here}?{}", params.next_query(next))}),
        );
    }
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|resource| {
            let full_url = format!(
                "{base}/{}/{}",
                resource["resourceType"].as_str().unwrap_or_default(),
                resource["id"].as_str().unwrap_or_default()
            );
            json!({"fullUrl": full_url, "resource": resource, "search": {"mode": "match"}})
        })
        .collect();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "link": links,
    });
    if !entries.is_empty() {
        bundle["entry"] = Value::Array(entries);
    }
    bundle
}
