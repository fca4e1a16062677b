//! Logical references and codings: organisations and clients are named by identifier
//! (never by BSN, never by a literal URL to a resource not served here), and our own
//! codes by the code systems below.

use std::collections::HashMap;

use herstelbrug_domain::{Identifier, OrgId};
use serde_json::{Value, json};
use uuid::Uuid;

use super::outcome::{FhirError, invalid};

/// Where our own codes and identifiers live; documented in the README.
pub const NAMESPACE: &str = "https://herstelbrug.nl/fhir";

/// The naming system of each kind of organisation id, and the prefix of our own id.
const ORGANISATION_SYSTEMS: [(&str, &str); 3] = [
    ("agb", "http://fhir.nl/fhir/NamingSystem/agb-z"),
    (
        "gemeente",
        "https://herstelbrug.nl/fhir/NamingSystem/gemeentecode",
    ),
    (
        "informeel",
        "https://herstelbrug.nl/fhir/NamingSystem/informal-organisation",
    ),
];

/// A provider's pseudonymous client reference; the assigner says whose.
pub const CLIENT_REF_SYSTEM: &str = "https://herstelbrug.nl/fhir/NamingSystem/client-ref";

/// `Identifier` of an organisation.
pub fn organisation_identifier(org: OrgId) -> Value {
    let text = org.to_string();
    let (prefix, value) = text.split_once(':').unwrap_or(("", text.as_str()));
    let system = ORGANISATION_SYSTEMS
        .iter()
        .find(|(p, _)| *p == prefix)
        .map_or(NAMESPACE, |(_, s)| *s);
    json!({"system": system, "value": value})
}

/// A logical `Reference(Organization)`.
pub fn organisation(org: OrgId) -> Value {
    json!({
        "type": "Organization",
        "identifier": organisation_identifier(org),
        "display": org.to_string(),
    })
}

/// The organisation a search names: our own id (`gemeente:0268`) or, with the
/// `:identifier` modifier, `system|value` in one of the naming systems above.
pub fn parse_organisation(
    name: &str,
    value: &str,
    by_identifier: bool,
) -> Result<OrgId, FhirError> {
    let own = if by_identifier {
        let (system, code) = value.split_once('|').ok_or_else(|| {
            invalid(format!(
                "{name}:identifier: expected system|value, got `{value}`"
            ))
        })?;
        let prefix = ORGANISATION_SYSTEMS
            .iter()
            .find(|(_, s)| *s == system)
            .map(|(p, _)| *p)
            .ok_or_else(|| {
                invalid(format!(
                    "{name}:identifier: unknown organisation system `{system}`; expected one of {}",
                    ORGANISATION_SYSTEMS.map(|(_, s)| s).join(", ")
                ))
            })?;
        format!("{prefix}:{code}")
    } else {
        value.to_owned()
    };
    own.parse::<OrgId>()
        .map_err(|e| invalid(format!("{name}: {e}")))
}

/// The identifiers a batch read found for `resource` (none when absent).
pub fn own(found: &HashMap<Uuid, Vec<Identifier>>, resource: Uuid) -> &[Identifier] {
    found.get(&resource).map_or(&[], Vec::as_slice)
}

/// FHIR `Identifier`s of external identifiers.
pub fn identifiers(identifiers: &[Identifier]) -> Vec<Value> {
    identifiers
        .iter()
        .map(|i| json!({"system": i.system.as_str(), "value": i.value.as_str()}))
        .collect()
}

/// A `CodeableConcept` of one of our codes, in the code system named `system`.
pub fn concept(system: &str, code: &str) -> Value {
    json!({"coding": [coding(system, code)]})
}

/// A `Coding` of one of our codes.
pub fn coding(system: &str, code: &str) -> Value {
    json!({"system": format!("{NAMESPACE}/CodeSystem/{system}"), "code": code})
}

/// `meta` of a resource: its version and when it last changed.
pub fn meta(version: u32, updated: chrono::DateTime<chrono::Utc>) -> Value {
    json!({
        "versionId": version.to_string(),
        "lastUpdated": updated.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })
}

/// A FHIR `instant`/`dateTime` in UTC.
pub fn instant(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
