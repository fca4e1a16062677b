//! The `Idempotency-Key` request header: parsed, scoped to the caller's organisation, and
//! bound to a fingerprint of the request so a key cannot be reused for another request.

use actix_web::HttpRequest;
use herstelbrug_domain::OrgId;
use herstelbrug_persistence::IdempotencyKey;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

pub const HEADER: &str = "Idempotency-Key";
const MAX_LEN: usize = 255;

/// The key of `req`, if it has one. `body` is the parsed request body: the fingerprint is
/// taken over its canonical JSON, so formatting differences do not count as another request.
pub fn key_for(
    req: &HttpRequest,
    org: OrgId,
    body: &impl Serialize,
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::InvalidRequest(format!(
            "{HEADER} must be 1 to {MAX_LEN} visible ASCII characters other than `\"`, optionally in quotes"
        ))
    };
    let text = value.to_str().map_err(|_| invalid())?.trim();
    // The IETF draft writes the key as a structured-field string ("..."); accept both.
    let key = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    // Visible ASCII but the quote, which only delimits: what the document's pattern says.
    let allowed = |b: u8| b.is_ascii_graphic() && b != b'"';
    if key.is_empty() || key.len() > MAX_LEN || !key.bytes().all(allowed) {
        return Err(invalid());
    }
    let canonical = serde_json::to_vec(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(req.path().as_bytes());
    hasher.update(b"\n");
    hasher.update(&canonical);
    let fingerprint = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Ok(Some(IdempotencyKey {
        org,
        key: key.to_owned(),
        fingerprint,
    }))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn read(value: &str) -> bool {
        let req = TestRequest::default()
            .insert_header((HEADER, value))
            .to_http_request();
        let org: OrgId = "agb:12345678".parse().expect("org");
        key_for(&req, org, &()).is_ok()
    }

    #[test]
    fn keys_are_what_the_documented_pattern_allows() {
        for taken in ["abc", "\"abc\"", "a-b_c.1~!#"] {
            assert!(read(taken), "{taken}");
        }
        for refused in ["\"abc", "a\"b", "\"\"", "a b"] {
            assert!(!read(refused), "{refused}");
        }
    }
}
