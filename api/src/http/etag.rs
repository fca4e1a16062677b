//! Strong ETags carrying a resource's version, and the RFC 9110 `If-Match` and
//! `If-None-Match` checks.
//!
//! actix-web's typed `IfMatch` drops list members it cannot parse, so a malformed header
//! would read as "no tag matches" (412) instead of a clear 400; the lists are read here.

use actix_web::http::header::{self, HeaderName};
use actix_web::{HttpRequest, HttpResponse};
use herstelbrug_domain::VersionMatch;

use crate::error::ApiError;

pub use crate::http::version_tag::etag;

/// One member of an entity-tag list (RFC 9110 §8.8.3).
#[derive(Debug, PartialEq, Eq)]
struct EntityTag<'a> {
    weak: bool,
    opaque: &'a str,
}

impl EntityTag<'_> {
    /// The version this tag names, if it is one of ours (`"7"`, octet for octet).
    fn version(&self) -> Option<u32> {
        let version: u32 = self.opaque.parse().ok()?;
        (version.to_string() == self.opaque).then_some(version)
    }
}

/// What an `If-Match` or `If-None-Match` field holds.
#[derive(Debug, PartialEq, Eq)]
enum Condition<'a> {
    Any,
    Tags(Vec<EntityTag<'a>>),
}

fn is_etagc(byte: u8) -> bool {
    byte == 0x21 || (0x23..=0x7e).contains(&byte) || byte >= 0x80
}

/// `*` or a non-empty comma-separated list of entity-tags; `None` when malformed.
fn parse_condition(value: &str) -> Option<Condition<'_>> {
    if value.trim_matches([' ', '\t']) == "*" {
        return Some(Condition::Any);
    }
    let mut tags = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            break;
        }
        let (weak, quoted) = match rest.strip_prefix("W/") {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let body = quoted.strip_prefix('"')?;
        let end = body.find('"')?;
        let opaque = &body[..end];
        if !opaque.bytes().all(is_etagc) {
            return None;
        }
        tags.push(EntityTag { weak, opaque });
        rest = body[end + 1..].trim_start_matches([' ', '\t']);
        if !(rest.is_empty() || rest.starts_with(',')) {
            return None;
        }
    }
    (!tags.is_empty()).then_some(Condition::Tags(tags))
}

/// The field's lines joined as one list (RFC 9110 §5.3); `None` when absent.
fn field(req: &HttpRequest, name: HeaderName) -> Option<Result<String, ()>> {
    let mut lines = req.headers().get_all(name).peekable();
    lines.peek()?;
    let values: Result<Vec<&str>, _> = lines.map(|v| v.to_str()).collect();
    Some(values.map(|v| v.join(", ")).map_err(|_| ()))
}

/// The versions a state-changing request may apply to, from its `If-Match` header.
/// Missing: 428. Malformed: 400. `*` admits any current version; a list admits the
/// versions of its strong members; weak tags never match for `If-Match` (RFC 9110
/// §13.1.1), so they and tags that are not ours leave a precondition that fails (412).
pub fn required_match(req: &HttpRequest) -> Result<VersionMatch, ApiError> {
    let malformed = || {
        ApiError::InvalidRequest(
            "If-Match must be `*` or a list of entity-tags such as \"3\" (RFC 9110 §13.1.1)"
                .to_owned(),
        )
    };
    let value = field(req, header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?
        .map_err(|()| malformed())?;
    match parse_condition(&value).ok_or_else(malformed)? {
        Condition::Any => Ok(VersionMatch::Any),
        Condition::Tags(tags) => Ok(VersionMatch::OneOf(
            tags.iter()
                .filter(|tag| !tag.weak)
                .filter_map(EntityTag::version)
                .collect(),
        )),
    }
}

/// A read of a resource at `version`: 304 with the ETag while `If-None-Match` names it,
/// otherwise 200 with the body `view` makes (only then) and the ETag.
pub fn read_response<T: serde::Serialize>(
    req: &HttpRequest,
    version: u32,
    view: impl FnOnce() -> T,
) -> HttpResponse {
    if not_modified(req, version) {
        return unchanged(&etag(version));
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(view())
}

/// 304 Not Modified carrying the entity-tag `tag`.
pub fn unchanged(tag: &str) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, tag.to_owned()))
        .finish()
}

/// Whether `If-None-Match` names the current version (answer 304).
pub fn not_modified(req: &HttpRequest, version: u32) -> bool {
    none_match_names(req, &version.to_string())
}

/// Whether `If-None-Match` names the entity-tag `opaque` (or is `*`). Weak comparison
/// (RFC 9110 §13.1.2); a malformed field is ignored rather than refused, as a cache would.
pub fn none_match_names(req: &HttpRequest, opaque: &str) -> bool {
    let Some(Ok(value)) = field(req, header::IF_NONE_MATCH) else {
        return false;
    };
    match parse_condition(&value) {
        Some(Condition::Any) => true,
        Some(Condition::Tags(tags)) => tags.iter().any(|tag| tag.opaque == opaque),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn if_match(values: &[&str]) -> Result<VersionMatch, ApiError> {
        let mut req = TestRequest::default();
        for value in values {
            req = req.append_header((header::IF_MATCH, *value));
        }
        required_match(&req.to_http_request())
    }

    #[test]
    fn if_match_reads_star_lists_and_drops_weak_or_foreign_tags() {
        assert_eq!(if_match(&["\"7\""]).ok(), Some(VersionMatch::exactly(7)));
        assert_eq!(if_match(&["*"]).ok(), Some(VersionMatch::Any));
        assert_eq!(if_match(&[" * "]).ok(), Some(VersionMatch::Any));
        assert_eq!(
            if_match(&["\"7\", \"8\""]).ok(),
            Some(VersionMatch::OneOf(vec![7, 8]))
        );
        assert_eq!(
            if_match(&["\"7\"", "\"9\""]).ok(),
            Some(VersionMatch::OneOf(vec![7, 9])),
            "several field lines are one list"
        );
        for no_version in ["W/\"7\"", "\"stale-0\"", "\"07\"", "\"\"", "\"a,b\""] {
            assert_eq!(
                if_match(&[no_version]).ok(),
                Some(VersionMatch::OneOf(Vec::new())),
                "{no_version}"
            );
        }
        assert_eq!(
            if_match(&["W/\"3\", \"4\""]).ok(),
            Some(VersionMatch::exactly(4))
        );
    }

    #[test]
    fn if_match_missing_is_428_and_malformed_is_400() {
        assert!(matches!(if_match(&[]), Err(ApiError::PreconditionRequired)));
        for bad in [
            "7",
            "\"7",
            "7\"",
            "\"7\" \"8\"",
            "*, \"7\"",
            "\"a b\"",
            "w/\"7\"",
            "",
        ] {
            assert!(
                matches!(if_match(&[bad]), Err(ApiError::InvalidRequest(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let req = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "\"1\", W/\"3\""))
            .to_http_request();
        assert!(not_modified(&req, 3));
        assert!(not_modified(&req, 1));
        assert!(!not_modified(&req, 2));
        let any = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "*"))
            .to_http_request();
        assert!(not_modified(&any, 9));
        let malformed = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "3"))
            .to_http_request();
        assert!(!not_modified(&malformed, 3));
    }
}
