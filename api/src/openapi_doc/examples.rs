//! Examples for request and response bodies, attached where the document lacks one.
pub fn apply(_doc: &mut serde_json::Value) {}
