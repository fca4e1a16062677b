//! Verifying access tokens: HS256 with a configured secret (local use), or public keys
//! from a JWKS file selected by `kid`. The algorithm is pinned per key, never taken from
//! the token, and `exp`, `iss`, `aud` and `sub` are required.

use std::collections::HashMap;
use std::path::Path;

use herstelbrug_domain::{OrgId, Subject};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
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

/// Only the claims we read after the library checked `exp`, `nbf`, `iss` and `aud`
/// (which may be a string or an array, so it is not read here).
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
}

pub struct Authenticator {
    issuer: String,
    audience: String,
    hs256: Option<DecodingKey>,
    keys: HashMap<String, (DecodingKey, Algorithm)>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("hs256", &self.hs256.is_some())
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Authenticator {
    pub fn new(
        issuer: String,
        audience: String,
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
        Ok(Self {
            issuer,
            audience,
            hs256: hs256_secret.map(DecodingKey::from_secret),
            keys,
        })
    }

    pub fn authenticate(&self, token: &str) -> Result<Principal, AuthError> {
        let header = decode_header(token).map_err(AuthError::Malformed)?;
        let (key, pinned) = match &header.kid {
            Some(kid) => self
                .keys
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
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let claims = decode::<IdentityClaims>(token, key, &validation)
            .map_err(AuthError::Rejected)?
            .claims;
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
}

fn load_jwks(path: &Path) -> Result<HashMap<String, (DecodingKey, Algorithm)>, AuthError> {
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
