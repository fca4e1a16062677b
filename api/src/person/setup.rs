//! How people sign in on this server, from the configuration: the configured issuer (its
//! JWKS file or shared secret), or on the embedded default without one the local
//! development issuer; on PostgreSQL without an issuer, person routes answer 401.

use herstelbrug_domain::person::assurance::Assurance;

use crate::auth::Authenticator;
use crate::auth::person::PersonAuth;
use crate::bsn_vault::BsnVault;
use crate::config::Config;
use crate::person::dev_issuer::DevIssuer;
use crate::person::page::SignIn;

/// What `serve` registers for people.
pub struct PersonSignIn {
    pub auth: Option<PersonAuth>,
    pub dev: Option<DevIssuer>,
    pub page: Option<SignIn>,
}

/// The sign-in for people; the error names the setting at fault.
pub fn person_sign_in(
    config: &Config,
    public_base: &str,
    bsn_secret: &[u8],
) -> Result<PersonSignIn, String> {
    let minimum: Assurance = config
        .person_min_acr
        .parse()
        .map_err(|e| format!("HERSTELBRUG_PERSON_MIN_ACR: {e}"))?;
    let vault = || BsnVault::new(bsn_secret).map_err(|e| format!("HERSTELBRUG_BSN_SECRET: {e}"));
    let configured = config.person_issuer.is_some()
        || config.person_jwks_file.is_some()
        || config.person_jwt_secret.is_some();
    if !configured {
        if !config.is_embedded() {
            return Ok(PersonSignIn {
                auth: None,
                dev: None,
                page: None,
            });
        }
        let issuer = format!("{public_base}/dev-issuer");
        let key = crate::bsn_vault::person_issuer_key(bsn_secret)
            .map_err(|e| format!("HERSTELBRUG_BSN_SECRET: {e}"))?;
        let auth = Authenticator::new(
            issuer.clone(),
            config.person_audience.clone(),
            3600,
            Some(&key),
            None,
        )
        .map_err(|e| format!("development person issuer: {e}"))?;
        return Ok(PersonSignIn {
            auth: Some(PersonAuth::new(auth, minimum, vault()?)),
            dev: Some(DevIssuer::new(
                issuer,
                config.person_audience.clone(),
                key.to_vec(),
            )),
            page: Some(SignIn {
                authorization_endpoint: "/dev-issuer/authorize".to_owned(),
                token_endpoint: "/dev-issuer/token".to_owned(),
                client_id: config.person_client_id.clone(),
                development: true,
            }),
        });
    }
    let issuer = config
        .person_issuer
        .clone()
        .ok_or("HERSTELBRUG_PERSON_ISSUER: needed with a person JWKS file or secret")?;
    if config.person_jwks_file.is_none() && config.person_jwt_secret.is_none() {
        return Err(
            "HERSTELBRUG_PERSON_JWKS_FILE (or HERSTELBRUG_PERSON_JWT_SECRET): needed with HERSTELBRUG_PERSON_ISSUER"
                .to_owned(),
        );
    }
    if config.person_audience == config.jwt_audience {
        return Err(
            "HERSTELBRUG_PERSON_AUDIENCE: must differ from HERSTELBRUG_JWT_AUDIENCE, so person and organisation tokens never open each other's routes"
                .to_owned(),
        );
    }
    let auth = Authenticator::new(
        issuer,
        config.person_audience.clone(),
        config.jwt_max_lifetime_seconds,
        config.person_jwt_secret.as_deref().map(str::as_bytes),
        config.person_jwks_file.as_deref(),
    )
    .map_err(|e| format!("HERSTELBRUG_PERSON_JWKS_FILE / HERSTELBRUG_PERSON_JWT_SECRET: {e}"))?;
    let page = match (&config.person_authorize_url, &config.person_token_url) {
        (Some(authorize), Some(token)) => Some(SignIn {
            authorization_endpoint: authorize.clone(),
            token_endpoint: token.clone(),
            client_id: config.person_client_id.clone(),
            development: false,
        }),
        _ => None,
    };
    Ok(PersonSignIn {
        auth: Some(PersonAuth::new(auth, minimum, vault()?)),
        dev: None,
        page,
    })
}
