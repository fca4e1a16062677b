//! Contact details in requests and views, with their bounds.

use herstelbrug_domain::{BoundedText, ClientContact, ReferrerContact};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

pub const NAME_MAX: usize = 200;
pub const PHONE_MAX: usize = 40;
pub const EMAIL_MAX: usize = 254;
pub const ADDRESS_MAX: usize = 300;

fn field(
    what: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<BoundedText>, ApiError> {
    value
        .map(|v| BoundedText::parse(what, v, max).map_err(|e| ApiError::Validation(e.to_string())))
        .transpose()
}

fn email(value: Option<&str>) -> Result<Option<BoundedText>, ApiError> {
    let parsed = field("email", value, EMAIL_MAX)?;
    if let Some(text) = &parsed {
        let ok = text
            .as_str()
            .split_once('@')
            .is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !text.as_str().contains(char::is_whitespace)
            });
        if !ok {
            return Err(ApiError::Validation(
                "invalid email: expected name@domain".to_owned(),
            ));
        }
    }
    Ok(parsed)
}

/// How the recipient can reach the client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientContactDto {
    #[schema(max_length = 200, example = "J. Jansen")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[schema(max_length = 40, example = "06-12345678")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[schema(max_length = 254, example = "j.jansen@example.nl")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[schema(max_length = 300, example = "Voorbeeldstraat 1, 6511 AA Nijmegen")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl ClientContactDto {
    pub fn parse(&self) -> Result<ClientContact, ApiError> {
        Ok(ClientContact {
            name: field("client name", self.name.as_deref(), NAME_MAX)?,
            phone: field("client phone", self.phone.as_deref(), PHONE_MAX)?,
            email: email(self.email.as_deref())?,
            address: field("client address", self.address.as_deref(), ADDRESS_MAX)?,
        })
    }
}

/// The referring professional, for the recipient to contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferrerContactDto {
    #[schema(max_length = 200, example = "M. de Vries, verpleegkundig specialist")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[schema(max_length = 40)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[schema(max_length = 254)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl ReferrerContactDto {
    pub fn parse(&self) -> Result<ReferrerContact, ApiError> {
        Ok(ReferrerContact {
            name: field("referrer name", self.name.as_deref(), NAME_MAX)?,
            phone: field("referrer phone", self.phone.as_deref(), PHONE_MAX)?,
            email: email(self.email.as_deref())?,
        })
    }
}

fn text(value: &Option<BoundedText>) -> Option<String> {
    value.as_ref().map(|t| t.as_str().to_owned())
}

impl From<&ReferrerContact> for ReferrerContactDto {
    fn from(c: &ReferrerContact) -> Self {
        Self {
            name: text(&c.name),
            phone: text(&c.phone),
            email: text(&c.email),
        }
    }
}

impl ClientContactDto {
    /// The whole contact, or only the name, as a disclosure allows.
    pub fn disclosed(c: &ClientContact, identity: bool, contact: bool) -> Self {
        Self {
            name: if identity { text(&c.name) } else { None },
            phone: if contact { text(&c.phone) } else { None },
            email: if contact { text(&c.email) } else { None },
            address: if contact { text(&c.address) } else { None },
        }
    }
}
