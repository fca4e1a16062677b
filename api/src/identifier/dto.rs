//! External identifiers as they cross the API: a system URI and a value.

use herstelbrug_domain::Identifier;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

/// An identifier another system gave the object: an EHR's episode id, an iWmo toewijzing
/// number, a FHIR resource id. Each organisation keeps its own; one identifier (system and
/// value) names at most one object of a kind within an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"system": "https://ehr.example.nl/episodes", "value": "EP-2026-00417"}))]
pub struct IdentifierDto {
    /// The namespace: an absolute URI (`https://…`, `urn:oid:…`), without `|`.
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = r"^[A-Za-z][A-Za-z0-9+.-]*:[!-{}~]+$"
    )]
    pub system: String,
    /// The identifier within the system: 1 to 128 characters, no control characters, no
    /// white space at either end.
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F])?$"
    )]
    pub value: String,
}

/// The identifiers the caller's organisation gave an object.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierList {
    /// At most 20, none twice; by system then value.
    #[schema(max_items = 20)]
    pub items: Vec<IdentifierDto>,
}

impl From<&Identifier> for IdentifierDto {
    fn from(id: &Identifier) -> Self {
        Self {
            system: id.system.as_str().to_owned(),
            value: id.value.as_str().to_owned(),
        }
    }
}

impl IdentifierList {
    pub fn of(identifiers: &[Identifier]) -> Self {
        Self {
            items: identifiers.iter().map(IdentifierDto::from).collect(),
        }
    }
}

/// Parses a set of identifiers sent as `field`, naming the member that is wrong.
pub fn parse_set(field: &str, items: &[IdentifierDto]) -> Result<Vec<Identifier>, ApiError> {
    let parsed = items
        .iter()
        .enumerate()
        .map(|(i, dto)| {
            Identifier::parse(&dto.system, &dto.value)
                .map_err(|e| ApiError::Validation(format!("`{field}[{i}]`: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Identifier::check_set(&parsed).map_err(|e| ApiError::Validation(format!("`{field}`: {e}")))?;
    Ok(parsed)
}

/// What a `system|value` search parameter looks like (the lengths are checked apart).
pub const TOKEN_PATTERN: &str = r"^[A-Za-z][A-Za-z0-9+.-]*:[!-{}~]+\|[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F])?$";

/// Parses the `identifier` search parameter (`system|value`): 422 naming it when the
/// system or value breaks a rule.
pub fn parse_token(token: &str) -> Result<Identifier, ApiError> {
    Identifier::parse_token(token).map_err(|e| ApiError::Validation(format!("`identifier`: {e}")))
}
