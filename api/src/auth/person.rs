//! People signed in for their own path: person tokens from the configured OpenID Connect
//! issuer (a DigiD broker; on the embedded default the local development issuer), checked
//! like organisation tokens but by their own authenticator (own issuer, audience and
//! keys), with a level of assurance at least the configured minimum. The client is found
//! by the keyed hash of the BSN in the token, never by the number itself.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use herstelbrug_domain::bsn::Bsn;
use herstelbrug_domain::person::Representation;
use herstelbrug_domain::person::assurance::Assurance;
use herstelbrug_domain::{Actor, Affiliation, PersonRole, Subject};
use herstelbrug_persistence::PersonKey;
use serde::Deserialize;

use crate::auth::principal::bearer;
use crate::auth::{AuthError, Authenticator};
use crate::bsn_vault::BsnVault;
use crate::error::ApiError;

/// The claims of a person token. `represents` is there when the person acts for someone
/// else (DigiD Machtigen: the represented client's BSN and the kind of representation).
#[derive(Debug, Deserialize)]
struct PersonClaims {
    sub: String,
    acr: String,
    bsn: String,
    #[serde(default)]
    represents: Option<Represents>,
}

#[derive(Debug, Deserialize)]
struct Represents {
    bsn: String,
    kind: String,
}

/// Checks person tokens and matches the person by BSN.
pub struct PersonAuth {
    auth: Authenticator,
    minimum: Assurance,
    vault: BsnVault,
}

impl PersonAuth {
    pub fn new(auth: Authenticator, minimum: Assurance, vault: BsnVault) -> Self {
        Self {
            auth,
            minimum,
            vault,
        }
    }

    pub fn authenticate(&self, token: &str) -> Result<PersonPrincipal, AuthError> {
        let claims: PersonClaims = self.auth.verify(token)?;
        let level = Assurance::of_acr(&claims.acr).map_err(|_| AuthError::BadClaim("acr"))?;
        if level < self.minimum {
            return Err(AuthError::BadClaim("acr"));
        }
        let own = Bsn::parse(&claims.bsn).map_err(|_| AuthError::BadClaim("bsn"))?;
        let acting_for = match claims.represents {
            None => None,
            Some(r) => {
                let client = Bsn::parse(&r.bsn).map_err(|_| AuthError::BadClaim("represents"))?;
                let kind: Representation = r
                    .kind
                    .parse()
                    .map_err(|_| AuthError::BadClaim("represents"))?;
                Some((self.vault.matcher(&client), kind))
            }
        };
        Ok(PersonPrincipal {
            subject: Subject::parse(&claims.sub).map_err(|_| AuthError::BadClaim("sub"))?,
            key: PersonKey {
                own: self.vault.matcher(&own),
                acting_for,
            },
        })
    }

    /// Reloads the issuer's JWKS file if it changed.
    pub fn reload_if_changed(&self) -> Result<bool, AuthError> {
        self.auth.reload_if_changed()
    }
}

/// A signed-in person: who (the issuer's `sub`) and how they are matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonPrincipal {
    pub subject: Subject,
    pub key: PersonKey,
}

impl PersonPrincipal {
    /// The role the person signs in with, before any trajectory is looked at.
    pub fn signed_in_as(&self) -> PersonRole {
        match self.key.acting_for {
            Some(_) => PersonRole::Representative,
            None => PersonRole::Client,
        }
    }

    /// The actor of what the person does in `role` (their standing on the trajectory):
    /// the history records the person's own `sub` and that they acted as client,
    /// representative (for the client whose trajectory it is) or naaste.
    pub fn actor(&self, role: PersonRole) -> Actor {
        Actor {
            subject: self.subject.clone(),
            org: Affiliation::Person(role),
        }
    }
}

/// What the access log records of a person's request.
#[derive(Debug, Clone)]
pub struct PersonCaller {
    pub subject: String,
    pub role: PersonRole,
}

impl FromRequest for PersonPrincipal {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = (|| {
            let auth = req
                .app_data::<web::Data<PersonAuth>>()
                .ok_or(ApiError::Unauthorized)?;
            // Person tokens open only the person's own routes.
            let pattern = req.match_pattern().unwrap_or_default();
            if !crate::auth::policy::is_person_route(&pattern) {
                return Err(ApiError::Forbidden(
                    "a person's token opens only /v1/me".to_owned(),
                ));
            }
            let token = bearer(req).ok_or(ApiError::Unauthorized)?;
            let person = auth.authenticate(token).map_err(|err| {
                tracing::info!(reason = %err, "person token refused");
                ApiError::Unauthorized
            })?;
            req.extensions_mut().insert(PersonCaller {
                subject: person.subject.to_string(),
                role: person.signed_in_as(),
            });
            Ok(person)
        })();
        ready(result)
    }
}
