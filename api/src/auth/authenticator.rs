//! Verifying access tokens (RFC 9068): HS256 with a configured secret (local use), or
//! public keys from a JWKS file selected by `kid` and reloaded when the file changes, so
//! keys rotate without a restart. The algorithm is pinned per key, never taken from the
//! token; `typ` must be `at+jwt`; `exp`, `iat`, `iss`, `aud` and `sub` are required, `nbf`
//! is honoured, and a token may not live longer than the configured maximum.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::SystemTime;

use herstelbrug_domain::{OrgId, Subject};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::auth::{Principal, Scope};

/// Seconds of clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

/// The claims of an access token as this API issues and reads them (RFC 9068).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: u64,
    pub iat: u64,
    pub scope: String,
    pub org: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// The claims we read after the library checked `exp`, `nbf`, `iss` and `aud` (which may
/// be a string or an array, so it is not read here). Numeric dates of another type fail.
#[derive(Debug, Deserialize)]
struct IdentityClaims {
    sub: String,
    org: String,
    #[serde(default)]
    scope: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("token is not a well-formed JWT: {0}")]
    Malformed(jsonwebtoken::errors::Error),
    #[error("no verification key for this token (kid {0:?})")]
    UnknownKey(Option<String>),
    #[error("token algorithm {got:?} is not the one pinned for its key ({pinned:?})")]
    WrongAlgorithm { got: Algorithm, pinned: Algorithm },
    #[error("token rejected: {0}")]
    Rejected(jsonwebtoken::errors::Error),
    #[error("claim `{0}` is invalid")]
    BadClaim(&'static str),
    #[error("cannot load JWKS file {path}: {reason}")]
    Jwks { path: String, reason: String },
    #[error("HERSTELBRUG_JWT_SECRET must be at least 32 bytes")]
    WeakSecret,
    #[error("token type {0:?} is not at+jwt")]
    WrongType(Option<String>),
    #[error("token issued in the future")]
    IssuedInFuture,
    #[error("token lifetime exceeds the maximum")]
    TooLong,
}

type KeySet = HashMap<String, (DecodingKey, Algorithm)>;

pub struct Authenticator {
    issuer: String,
    audience: String,
    max_lifetime: u64,
    hs256: Option<DecodingKey>,
    keys: RwLock<KeySet>,
    jwks: Option<(PathBuf, Mutex<Option<SystemTime>>)>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("hs256", &self.hs256.is_some())
            .field(
                "kids",
                &self.keys.read().map(|k| k.len()).unwrap_or_default(),
            )
            .finish()
    }
}

impl Authenticator {
    pub fn new(
        issuer: String,
        audience: String,
        max_lifetime_seconds: u64,
        hs256_secret: Option<&[u8]>,
        jwks_file: Option<&Path>,
    ) -> Result<Self, AuthError> {
        if hs256_secret.is_some_and(|s| s.len() < 32) {
            return Err(AuthError::WeakSecret);
        }
        let keys = match jwks_file {
            Some(path) => load_jwks(path)?,
            None => HashMap::new(),
        };
        let jwks = jwks_file.map(|path| (path.to_path_buf(), Mutex::new(modified(path))));
        Ok(Self {
            issuer,
            audience,
            max_lifetime: max_lifetime_seconds,
            hs256: hs256_secret.map(DecodingKey::from_secret),
            keys: RwLock::new(keys),
            jwks,
        })
    }

    /// Reloads the JWKS file if it changed since the last load. A file that does not parse
    /// leaves the keys as they were (and is reported), so a bad deploy locks nobody out.
    pub fn reload_if_changed(&self) -> Result<bool, AuthError> {
        let Some((path, seen)) = &self.jwks else {
            return Ok(false);
        };
        let now = modified(path);
        let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
        if now == *seen {
            return Ok(false);
        }
        let keys = load_jwks(path)?;
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = keys;
        *seen = now;
        Ok(true)
    }

    pub fn authenticate(&self, token: &str) -> Result<Principal, AuthError> {
        let claims: IdentityClaims = self.verify(token)?;
        Ok(Principal {
            subject: Subject::parse(&claims.sub).map_err(|_| AuthError::BadClaim("sub"))?,
            org: claims
                .org
                .parse::<OrgId>()
                .map_err(|_| AuthError::BadClaim("org"))?,
            scopes: claims
                .scope
                .split_whitespace()
                .filter_map(Scope::parse)
                .collect(),
        })
    }

    /// The claims of a token that passed every check: type, key and its pinned algorithm,
    /// signature, `iss`, `aud`, `exp`, `nbf`, `iat` not in the future, and the maximum
    /// lifetime. Organisation and person tokens are checked the same way, each by its
    /// own authenticator (own issuer, audience and keys).
    pub fn verify<C: DeserializeOwned>(&self, token: &str) -> Result<C, AuthError> {
        let header = decode_header(token).map_err(AuthError::Malformed)?;
        let typ_ok = header.typ.as_deref().is_some_and(|t| {
            t.eq_ignore_ascii_case("at+jwt") || t.eq_ignore_ascii_case("application/at+jwt")
        });
        if !typ_ok {
            return Err(AuthError::WrongType(header.typ.clone()));
        }
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let (key, pinned) = match &header.kid {
            Some(kid) => keys
                .get(kid)
                .map(|(key, alg)| (key, *alg))
                .ok_or_else(|| AuthError::UnknownKey(Some(kid.clone())))?,
            None => self
                .hs256
                .as_ref()
                .map(|key| (key, Algorithm::HS256))
                .ok_or(AuthError::UnknownKey(None))?,
        };
        if header.alg != pinned {
            return Err(AuthError::WrongAlgorithm {
                got: header.alg,
                pinned,
            });
        }
        let mut validation = Validation::new(pinned);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let data = decode::<Timed<C>>(token, key, &validation)
            .map_err(AuthError::Rejected)?
            .claims;
        let now = jsonwebtoken::get_current_timestamp();
        if data.iat > now + LEEWAY_SECONDS {
            return Err(AuthError::IssuedInFuture);
        }
        if data.exp.saturating_sub(data.iat) > self.max_lifetime {
            return Err(AuthError::TooLong);
        }
        Ok(data.claims)
    }
}

/// A token's times beside the claims its kind needs.
#[derive(Debug, Deserialize)]
struct Timed<C> {
    iat: u64,
    exp: u64,
    #[serde(flatten)]
    claims: C,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn load_jwks(path: &Path) -> Result<KeySet, AuthError> {
    let fail = |reason: String| AuthError::Jwks {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let set: JwkSet = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let kid = jwk
            .common
            .key_id
            .clone()
            .ok_or_else(|| fail("every key needs a `kid`".to_owned()))?;
        let alg = pinned_algorithm(jwk.common.key_algorithm, &jwk.algorithm).ok_or_else(|| {
            fail(format!(
                "key {kid}: only RSA, EC (P-256/P-384) and Ed25519 public keys are accepted"
            ))
        })?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| fail(format!("key {kid}: {e}")))?;
        keys.insert(kid, (key, alg));
    }
    Ok(keys)
}

/// The one algorithm a JWKS key verifies: its `alg` if it names an asymmetric signature
/// algorithm that fits the key type, else the usual one for the key type.
fn pinned_algorithm(
    declared: Option<KeyAlgorithm>,
    params: &AlgorithmParameters,
) -> Option<Algorithm> {
    let (default, family): (Algorithm, &[Algorithm]) = match params {
        AlgorithmParameters::RSA(_) => (
            Algorithm::RS256,
            &[
                Algorithm::RS256,
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::PS384,
                Algorithm::PS512,
            ],
        ),
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => (Algorithm::ES256, &[Algorithm::ES256]),
            EllipticCurve::P384 => (Algorithm::ES384, &[Algorithm::ES384]),
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(_) => (Algorithm::EdDSA, &[Algorithm::EdDSA]),
        // Symmetric keys do not belong in a published key set.
        AlgorithmParameters::OctetKey(_) => return None,
    };
    match declared {
        None => Some(default),
        Some(alg) => {
            let name = serde_json::to_value(alg).ok()?;
            let alg: Algorithm = name.as_str()?.parse().ok()?;
            family.contains(&alg).then_some(alg)
        }
    }
}
