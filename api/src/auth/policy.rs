//! Which scopes may do what. [`POLICY`] maps every `/v1` and `/fhir` route and method to the scopes
//! allowed (checked for every request by the [`Principal`] extractor, deny by default);
//! the functions below add what a scope alone cannot say (which organisation kind).

use herstelbrug_domain::{Actor, AgbCode, OrgId};
use herstelbrug_persistence::{AlertReader, FigureScope, Visibility};

use crate::auth::{Principal, Scope};

use Scope::{Admin, Community, Dashboard, Municipality, Provider};

const PROVIDER: &[Scope] = &[Provider];
const PROVIDER_ADMIN: &[Scope] = &[Provider, Admin];
/// Operators: erasure and legal holds.
const ADMIN: &[Scope] = &[Admin];
const PARTIES: &[Scope] = &[Provider, Municipality, Community];
/// Dashboards read the alerts that concern their own organisation, and figures.
const ALERT_READERS: &[Scope] = &[Provider, Municipality, Community, Dashboard, Admin];
const ALERT_FEED_READERS: &[Scope] = &[Provider, Municipality, Community, Dashboard];
/// Aggregates without client ids, withheld below 5 clients: dashboards and operators.
const FIGURE_READERS: &[Scope] = &[Dashboard, Admin];
/// The catalog and what was measured of organisations hold no client data.
const EVERYONE: &[Scope] = ALERT_READERS;

/// Every `/v1` route (as registered) and method, with the scopes that may call it.
pub const POLICY: &[(&str, &str, &[Scope])] = &[
    ("POST", "/v1/trajectories", PROVIDER),
    ("GET", "/v1/trajectories", PROVIDER_ADMIN),
    ("POST", "/v1/trajectories/search", PROVIDER_ADMIN),
    ("GET", "/v1/trajectories/{id}", PROVIDER_ADMIN),
    ("POST", "/v1/trajectories/{id}/transitions", PROVIDER),
    ("GET", "/v1/trajectories/{id}/events", PROVIDER_ADMIN),
    ("GET", "/v1/clients/{client_ref}/access-log", PROVIDER_ADMIN),
    ("GET", "/v1/access-log", ALERT_READERS),
    ("POST", "/v1/trajectories/{id}/erasure", ADMIN),
    ("GET", "/v1/trajectories/{id}/legal-hold", ADMIN),
    ("PUT", "/v1/trajectories/{id}/legal-hold", ADMIN),
    ("DELETE", "/v1/trajectories/{id}/legal-hold", ADMIN),
    ("POST", "/v1/trajectories/{id}/consents", PROVIDER),
    ("GET", "/v1/trajectories/{id}/consents", PROVIDER),
    ("GET", "/v1/trajectories/{id}/consents/{cid}", PROVIDER),
    ("GET", "/v1/trajectories/{id}/identifiers", PROVIDER),
    ("PUT", "/v1/trajectories/{id}/identifiers", PROVIDER),
    ("GET", "/v1/referrals", PARTIES),
    ("GET", "/v1/referrals/{rid}/identifiers", PARTIES),
    ("PUT", "/v1/referrals/{rid}/identifiers", PARTIES),
    ("GET", "/v1/services/{id}/identifiers", PARTIES),
    ("PUT", "/v1/services/{id}/identifiers", PARTIES),
    (
        "POST",
        "/v1/trajectories/{id}/consents/{cid}/withdraw",
        PROVIDER,
    ),
    ("POST", "/v1/trajectories/{id}/invitations", PROVIDER),
    ("GET", "/v1/trajectories/{id}/invitations", PROVIDER),
    (
        "POST",
        "/v1/trajectories/{id}/invitations/{iid}/revoke",
        PROVIDER,
    ),
    ("POST", "/v1/trajectories/{id}/referrals", PROVIDER),
    ("GET", "/v1/trajectories/{id}/referrals", PROVIDER),
    ("POST", "/v1/trajectories/{id}/offers", PROVIDER),
    ("GET", "/v1/trajectories/{id}/offers", PROVIDER),
    ("GET", "/v1/offers/{oid}", PROVIDER),
    ("GET", "/v1/referrals/{rid}/alternatives", PROVIDER),
    ("POST", "/v1/trajectories/{id}/participants", PROVIDER),
    ("GET", "/v1/trajectories/{id}/participants", PROVIDER),
    (
        "POST",
        "/v1/trajectories/{id}/participants/{pid}/leave",
        PROVIDER,
    ),
    ("GET", "/v1/referrals/{rid}/participants", PARTIES),
    ("GET", "/v1/trajectories/{id}/overview", PROVIDER),
    ("POST", "/v1/trajectories/{id}/outcome-checks", PROVIDER),
    ("GET", "/v1/trajectories/{id}/outcome-checks", PROVIDER),
    ("GET", "/v1/referrals/{rid}/overview", PARTIES),
    ("POST", "/v1/referrals/{rid}/warm-handoff/meetings", PARTIES),
    ("GET", "/v1/referrals/{rid}/warm-handoff/meetings", PARTIES),
    (
        "POST",
        "/v1/referrals/{rid}/warm-handoff/meetings/{mid}/outcome",
        PARTIES,
    ),
    ("GET", "/v1/referrals/inbox", PARTIES),
    ("GET", "/v1/referrals/outbox-feed", PROVIDER),
    ("GET", "/v1/referrals/{rid}", PARTIES),
    ("POST", "/v1/referrals/{rid}/{action}", PARTIES),
    ("GET", "/v1/alerts", ALERT_READERS),
    ("GET", "/v1/alerts/feed", ALERT_FEED_READERS),
    ("GET", "/v1/alerts/{id}", ALERT_READERS),
    ("POST", "/v1/alerts/{id}/acknowledge", PARTIES),
    ("POST", "/v1/alerts/{id}/resolve", PARTIES),
    // The catalog holds no client data: every authenticated organisation may read it;
    // providers and municipalities keep their own services.
    ("GET", "/v1/services", EVERYONE),
    ("GET", "/v1/services/feed", EVERYONE),
    ("GET", "/v1/services/{id}", EVERYONE),
    ("GET", "/v1/services/{id}/history", EVERYONE),
    ("GET", "/v1/organisations/{org}", EVERYONE),
    ("GET", "/v1/figures/continuity", FIGURE_READERS),
    ("POST", "/v1/services", PARTIES),
    ("PUT", "/v1/services/{id}", PARTIES),
    ("POST", "/v1/services/{id}/capacity", PARTIES),
    ("POST", "/v1/webhook-subscriptions", PARTIES),
    ("GET", "/v1/webhook-subscriptions", PARTIES),
    ("DELETE", "/v1/webhook-subscriptions/{id}", PARTIES),
    (
        "POST",
        "/v1/webhook-subscriptions/{id}/rotate-secret",
        PARTIES,
    ),
    ("POST", "/v1/webhook-subscriptions/{id}/test", PARTIES),
    ("GET", "/v1/webhook-subscriptions/{id}/deliveries", PARTIES),
    ("GET", "/v1/webhook-subscriptions/{id}/status", PARTIES),
    ("GET", "/v1/webhook-subscriptions/{id}/events", PARTIES),
    (
        "POST",
        "/v1/webhook-subscriptions/{id}/deliveries/{did}/replay",
        PARTIES,
    ),
    // The FHIR views: the same rules as the /v1 reads they mirror.
    ("GET", "/fhir/Task", PARTIES),
    ("GET", "/fhir/Task/{rid}", PARTIES),
    ("GET", "/fhir/EpisodeOfCare", PROVIDER_ADMIN),
    ("GET", "/fhir/EpisodeOfCare/{id}", PROVIDER_ADMIN),
    ("GET", "/fhir/HealthcareService", EVERYONE),
    ("GET", "/fhir/HealthcareService/{id}", EVERYONE),
];

/// Whether a route is one of the person's own (`/v1/me/...`): opened by a person token,
/// never by an organisation's scopes (the person extractor checks it).
pub fn is_person_route(pattern: &str) -> bool {
    pattern == "/v1/me" || pattern.starts_with("/v1/me/")
}

/// The scopes allowed on a route pattern and method; `None` when the table has no entry.
pub fn allowed_scopes(method: &str, pattern: &str) -> Option<&'static [Scope]> {
    POLICY
        .iter()
        .find(|(m, p, _)| *m == method && *p == pattern)
        .map(|(_, _, scopes)| *scopes)
}

/// Whether `principal` may call the route: deny when the table does not know it.
pub fn check_route(principal: &Principal, method: &str, pattern: &str) -> Result<(), ApiError> {
    match allowed_scopes(method, pattern) {
        Some(scopes) if scopes.iter().any(|s| principal.has(*s)) => Ok(()),
        Some(scopes) => Err(forbidden(&format!(
            "this operation needs scope {}",
            scopes
                .iter()
                .map(|s| format!("`{}`", s.as_str()))
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
        None => Err(forbidden("no access policy covers this operation")),
    }
}
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
/// provider with scope `provider`, a municipality with scope `municipality`, or a
/// registered informal organisation with scope `community`.
pub fn referral_party(principal: &Principal) -> Result<OrgId, ApiError> {
    match principal.org {
        OrgId::Agb(_) if principal.has(Scope::Provider) => Ok(principal.org),
        OrgId::Gemeente(_) if principal.has(Scope::Municipality) => Ok(principal.org),
        OrgId::Informal(_) if principal.has(Scope::Community) => Ok(principal.org),
        _ => Err(forbidden(
            "referrals need scope `provider` for an agb: organisation, `municipality` for a gemeente: organisation or `community` for an informeel: organisation",
        )),
    }
}

/// Whose alerts a caller reads: those concerning its organisation (as a party, or
/// through its dashboard), or all for administrators.
pub fn alert_reader(principal: &Principal) -> Result<AlertReader, ApiError> {
    match referral_party(principal) {
        Ok(org) => Ok(AlertReader::Org(org)),
        Err(_) if principal.has(Scope::Admin) => Ok(AlertReader::All),
        Err(_) if principal.has(Scope::Dashboard) => Ok(AlertReader::Org(principal.org)),
        Err(e) => Err(e),
    }
}

/// Whose figures a caller reads: a dashboard its own organisation's (a provider's own
/// trajectories, a municipality's residents over every provider), an administrator all.
pub fn figure_reader(principal: &Principal) -> Result<FigureScope, ApiError> {
    match principal.org {
        _ if principal.has(Scope::Admin) => Ok(FigureScope::All),
        OrgId::Agb(provider) if principal.has(Scope::Dashboard) => {
            Ok(FigureScope::Provider(provider))
        }
        OrgId::Gemeente(code) if principal.has(Scope::Dashboard) => {
            Ok(FigureScope::Municipality(code))
        }
        _ => Err(forbidden(
            "figures need scope `dashboard` for an agb: or gemeente: organisation, or `admin`",
        )),
    }
}

/// Whose alert feed a caller reads: its own organisation's, as a party or a dashboard.
pub fn alert_feed_reader(principal: &Principal) -> Result<OrgId, ApiError> {
    match referral_party(principal) {
        Ok(org) => Ok(org),
        Err(_) if principal.has(Scope::Dashboard) => Ok(principal.org),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_table_covers_exactly_the_documented_routes() {
        let doc = crate::openapi_doc::document();
        let mut documented = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("item").keys() {
                if path.starts_with("/v1/") && !is_person_route(path) {
                    documented.push((method.to_uppercase(), path.clone()));
                }
            }
        }
        for (method, path) in &documented {
            assert!(
                allowed_scopes(method, path).is_some(),
                "{method} {path} has no policy entry"
            );
        }
        // The FHIR views are not in the OpenAPI document (their contract is the
        // CapabilityStatement); `routes::fhir` checks its own entries.
        let v1: Vec<_> = POLICY
            .iter()
            .filter(|(_, p, _)| p.starts_with("/v1/"))
            .collect();
        for (method, path, _) in &v1 {
            assert!(
                documented.iter().any(|(m, p)| m == method && p == path),
                "{method} {path} is in the policy but not a registered route"
            );
        }
        assert_eq!(documented.len(), v1.len());
    }
}
