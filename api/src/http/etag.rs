//! Strong ETags carrying a resource's version, and the `If-Match`/`If-None-Match` checks.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::ApiError;

/// The strong ETag of a resource at `version`.
pub fn etag(version: u32) -> String {
    format!("\"{version}\"")
}

fn parse_strong(tag: &str) -> Option<u32> {
    tag.trim()
        .strip_prefix('"')?
        .strip_suffix('"')?
        .parse()
        .ok()
}

/// The version a state-changing request expects, from its `If-Match` header.
/// Missing: 428. Not a single strong ETag of ours: 400 (a weak ETag never matches for
/// updates, RFC 9110 §13.1.1, so accepting one would hide lost updates).
pub fn required_version(req: &HttpRequest) -> Result<u32, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Err(ApiError::PreconditionRequired);
    };
    value.to_str().ok().and_then(parse_strong).ok_or_else(|| {
        ApiError::InvalidRequest(
            "If-Match must be the single strong ETag of the resource, e.g. \"3\"".to_owned(),
        )
    })
}

/// Whether `If-None-Match` names the current version (answer 304).
pub fn not_modified(req: &HttpRequest, version: u32) -> bool {
    let Some(value) = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value.split(',').any(|tag| {
        let tag = tag.trim();
        tag == "*" || parse_strong(tag.strip_prefix("W/").unwrap_or(tag)) == Some(version)
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn if_match_parsing() {
        let req = TestRequest::default()
            .insert_header((header::IF_MATCH, "\"7\""))
            .to_http_request();
        assert_eq!(required_version(&req).ok(), Some(7));
        let req = TestRequest::default().to_http_request();
        assert!(matches!(
            required_version(&req),
            Err(ApiError::PreconditionRequired)
        ));
        for bad in ["7", "W/\"7\"", "*", "\"7\", \"8\""] {
            let req = TestRequest::default()
                .insert_header((header::IF_MATCH, bad))
                .to_http_request();
            assert!(
                matches!(required_version(&req), Err(ApiError::InvalidRequest(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let req = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "\"1\", W/\"3\""))
            .to_http_request();
        assert!(not_modified(&req, 3));
        assert!(!not_modified(&req, 2));
    }
}
