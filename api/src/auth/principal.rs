//! The authenticated caller, extracted from the request's bearer token.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use herstelbrug_domain::{Actor, OrgId, Subject};

use crate::error::ApiError;

/// An OAuth scope this API knows. Unknown scopes in a token are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// An addiction-care provider's EHR integration: its own trajectories.
    Provider,
    /// A municipality's Wmo system: the referrals addressed to it.
    Municipality,
    /// A registered informal organisation (self-help group, peer experts): its services
    /// and the referrals addressed to it.
    Community,
    /// Read-only aggregates.
    Dashboard,
    /// Operators: read access across organisations.
    Admin,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[
        Scope::Provider,
        Scope::Municipality,
        Scope::Community,
        Scope::Dashboard,
        Scope::Admin,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Provider => "provider",
            Scope::Municipality => "municipality",
            Scope::Community => "community",
            Scope::Dashboard => "dashboard",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.iter().copied().find(|s| s.as_str() == text)
    }
}

/// Who is calling: the token's subject, organisation and scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: Subject,
    pub org: OrgId,
    pub scopes: Vec<Scope>,
}

impl Principal {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    pub fn actor(&self) -> Actor {
        Actor {
            subject: self.subject.clone(),
            org: self.org.into(),
        }
    }
}

/// The token of an `Authorization: Bearer` header (never the query string: a token there
/// would end up in logs and browser histories).
pub(crate) fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// What the extractor needs of the application: checking a token, and the per-organisation
/// rate. A trait, so that who is calling does not depend on the whole application state
/// (which holds the authenticator, which makes principals).
pub trait Gatekeeper: Send + Sync {
    /// The caller a bearer token names; the error says why it was refused, for the log.
    fn authenticate(&self, token: &str) -> Result<Principal, String>;
    /// `Err(seconds)` when `org` is over its rate and must wait that long.
    fn admit(&self, org: &OrgId) -> Result<(), u64>;
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = (|| {
            let gate = req
                .app_data::<web::Data<dyn Gatekeeper>>()
                .ok_or_else(|| ApiError::Internal("application state missing".to_owned()))?;
            // Only the Authorization header is read: a token in the query string would end
            // up in logs and browser histories.
            let token = bearer(req).ok_or(ApiError::Unauthorized)?;
            let principal = gate.authenticate(token).map_err(|err| {
                tracing::info!(reason = %err, "token refused");
                ApiError::Unauthorized
            })?;
            // The access log records who called, also when the call is refused below.
            req.extensions_mut().insert(principal.clone());
            // Every handler that needs a caller takes this extractor, so the route policy
            // is checked here, once, for all of them.
            let pattern = req.match_pattern().unwrap_or_default();
            crate::auth::policy::check_route(&principal, req.method().as_str(), &pattern)?;
            if let Err(retry_after) = gate.admit(&principal.org) {
                return Err(ApiError::TooManyRequests { retry_after });
            }
            Ok(principal)
        })();
        ready(result)
    }
}
