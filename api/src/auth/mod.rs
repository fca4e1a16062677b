//! Authentication (RFC 9068 JWT bearer tokens) and the caller's identity and scopes.

mod authenticator;
pub mod dev_secret;
pub mod person;
pub mod policy;
mod principal;
pub mod token;

pub use authenticator::{AccessClaims, AuthError, Authenticator};
pub use principal::{Gatekeeper, Principal, Scope};
