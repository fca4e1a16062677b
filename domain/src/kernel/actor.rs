//! Who did something, on whose behalf.

use std::fmt;

use crate::kernel::org_id::OrgId;
use crate::kernel::value::InvalidValue;

/// The `sub` of an access token: the user or system acting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Subject(String);

pub const SUBJECT_MAX_LEN: usize = 255;

impl Subject {
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        if text.trim().is_empty()
            || text.len() > SUBJECT_MAX_LEN
            || text.chars().any(char::is_control)
        {
            return Err(InvalidValue {
                what: "subject",
                rule: "expected 1 to 255 printable characters",
            });
        }
        Ok(Subject(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Subject {
    type Error = InvalidValue;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Subject::parse(&value)
    }
}

impl From<Subject> for String {
    fn from(value: Subject) -> Self {
        value.0
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The authenticated actor behind a command: a subject acting for an organisation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    pub subject: Subject,
    pub org: OrgId,
}
