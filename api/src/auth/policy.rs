//! Which scopes may do what: the one place that grants access to trajectories.

use herstelbrug_domain::{Actor, AgbCode, OrgId};
use herstelbrug_persistence::{AlertReader, Visibility};

use crate::auth::{Principal, Scope};
use crate::error::ApiError;

/// Trajectories a caller may read: providers their own, administrators all.
pub fn trajectory_readers(principal: &Principal) -> Result<Visibility, ApiError> {
    match (principal.has(Scope::Provider), principal.org) {
        (true, OrgId::Agb(provider)) => Ok(Visibility::Provider(provider)),
        _ if principal.has(Scope::Admin) => Ok(Visibility::All),
        _ => Err(forbidden(
            "reading trajectories needs scope `provider` (for an agb: organisation) or `admin`",
        )),
    }
}

/// The provider a caller writes trajectories for: only a care provider's own.
pub fn trajectory_writer(principal: &Principal) -> Result<(AgbCode, Actor), ApiError> {
    match (principal.has(Scope::Provider), principal.org) {
        (true, OrgId::Agb(provider)) => Ok((provider, principal.actor())),
        _ => Err(forbidden(
            "changing trajectories needs scope `provider` for an agb: organisation",
        )),
    }
}

fn forbidden(detail: &str) -> ApiError {
    ApiError::Forbidden(detail.to_owned())
}

/// The organisation a caller acts for on referrals, as requester or recipient: a care
/// provider with scope `provider`, or a municipality with scope `municipality`.
pub fn referral_party(principal: &Principal) -> Result<OrgId, ApiError> {
    match principal.org {
        OrgId::Agb(_) if principal.has(Scope::Provider) => Ok(principal.org),
        OrgId::Gemeente(_) if principal.has(Scope::Municipality) => Ok(principal.org),
        _ => Err(forbidden(
            "referrals need scope `provider` for an agb: organisation or `municipality` for a gemeente: organisation",
        )),
    }
}

/// Whose alerts a caller reads: those concerning its organisation, or all for administrators.
pub fn alert_reader(principal: &Principal) -> Result<AlertReader, ApiError> {
    match referral_party(principal) {
        Ok(org) => Ok(AlertReader::Org(org)),
        Err(_) if principal.has(Scope::Admin) => Ok(AlertReader::All),
        Err(e) => Err(e),
    }
}
