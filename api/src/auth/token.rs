//! Minting an HS256 organisation token with the configured secret: for the `token`
//! command, the demo and the dashboard's development sign-in, which all need the same one.

use herstelbrug_domain::OrgId;

use crate::auth::dev_secret;
use crate::auth::{AccessClaims, Scope};
use crate::config::Config;

/// A token for `org` with `scope` (comma- or space-separated), subject `sub`, valid `ttl`
/// seconds; the error names the argument at fault.
pub fn mint(
    config: &Config,
    org: &str,
    scope: &str,
    sub: &str,
    ttl: u64,
) -> Result<String, String> {
    let org: OrgId = org.parse().map_err(|e| format!("--org: {e}"))?;
    let scopes: Vec<&str> = scope.split([',', ' ']).filter(|s| !s.is_empty()).collect();
    if let Some(unknown) = scopes.iter().find(|s| Scope::parse(s).is_none()) {
        let known: Vec<_> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        return Err(format!(
            "--scope: unknown scope `{unknown}`; known: {}",
            known.join(", ")
        ));
    }
    let secret = dev_secret::resolve(config)
        .map_err(|e| e.to_string())?
        .ok_or("no HS256 secret: set HERSTELBRUG_JWT_SECRET (a JWKS file is configured)")?;
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0);
    if ttl > config.jwt_max_lifetime_seconds {
        return Err(format!(
            "--ttl exceeds HERSTELBRUG_JWT_MAX_LIFETIME_SECONDS ({})",
            config.jwt_max_lifetime_seconds
        ));
    }
    let claims = AccessClaims {
        iss: config.jwt_issuer.clone(),
        aud: config.jwt_audience.clone(),
        sub: sub.to_owned(),
        exp: now + ttl,
        iat: now,
        scope: scopes.join(" "),
        org: org.to_string(),
        jti: Some(uuid::Uuid::new_v4().to_string()),
    };
    dev_secret::sign(&claims, &secret).map_err(|e| e.to_string())
}
