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

/// On whose behalf an actor acts: an organisation, or (signed in as a person) the client
/// themselves, someone representing the client, or a naaste. Stored and shown as the
/// organisation id, or as `client`, `vertegenwoordiger` or `naaste`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Affiliation {
    Organisation(OrgId),
    Person(PersonRole),
}

string_enum! {
    /// A person signed in for their own path: the client, a representative acting for the
    /// client (a legal representative or an authorised person), or a naaste.
    pub enum PersonRole ("person role") {
        Client => "client",
        Representative => "vertegenwoordiger",
        Naaste => "naaste",
    }
}

impl Affiliation {
    /// The organisation, when the actor acts for one.
    pub fn organisation(self) -> Option<OrgId> {
        match self {
            Affiliation::Organisation(org) => Some(org),
            Affiliation::Person(_) => None,
        }
    }
}

impl From<OrgId> for Affiliation {
    fn from(org: OrgId) -> Self {
        Affiliation::Organisation(org)
    }
}

impl PartialEq<OrgId> for Affiliation {
    fn eq(&self, other: &OrgId) -> bool {
        *self == Affiliation::Organisation(*other)
    }
}

impl std::str::FromStr for Affiliation {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.parse::<PersonRole>() {
            Ok(role) => Ok(Affiliation::Person(role)),
            Err(_) => text
                .parse::<OrgId>()
                .map(Affiliation::Organisation)
                .map_err(|_| InvalidValue {
                    what: "affiliation",
                    rule: "expected an organisation id, `client`, `vertegenwoordiger` or `naaste`",
                }),
        }
    }
}

impl TryFrom<String> for Affiliation {
    type Error = InvalidValue;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Affiliation> for String {
    fn from(value: Affiliation) -> Self {
        value.to_string()
    }
}

impl fmt::Display for Affiliation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Affiliation::Organisation(org) => org.fmt(f),
            Affiliation::Person(role) => role.fmt(f),
        }
    }
}

/// The authenticated actor behind a command: a subject acting for an organisation, or a
/// person acting for themselves or for the client they represent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Actor {
    pub subject: Subject,
    pub org: Affiliation,
}
