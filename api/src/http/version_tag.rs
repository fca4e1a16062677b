//! How a resource's version is written as an entity tag: its own file, so the error
//! mapping (a 412 names the current version) and the `If-Match` parsing both use it.

/// The strong ETag of a resource at `version`.
pub fn etag(version: u32) -> String {
    format!("\"{version}\"")
}
