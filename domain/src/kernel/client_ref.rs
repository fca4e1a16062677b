//! The provider's own pseudonymous reference for a client.

use std::fmt;
use std::str::FromStr;

use crate::kernel::value::InvalidValue;

/// A provider-chosen pseudonymous client reference: 1 to 64 characters from
/// `A-Z a-z 0-9 . _ : -`. It is not a BSN and must not contain personal data; the narrow
/// alphabet keeps it safe in URLs and logs.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct ClientRef(String);

pub const CLIENT_REF_MAX_LEN: usize = 64;

impl ClientRef {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The reference an erased trajectory carries instead of its client's: derived from
    /// the trajectory's own id (no secret), 23 characters of the allowed alphabet.
    pub fn erased(trajectory: uuid::Uuid) -> Self {
        Self(format!("gewist-{}", &trajectory.simple().to_string()[..16]))
    }
}

impl FromStr for ClientRef {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-');
        if s.is_empty() || s.len() > CLIENT_REF_MAX_LEN || !s.chars().all(allowed) {
            return Err(InvalidValue {
                what: "client_ref",
                rule: "expected 1 to 64 characters from A-Z, a-z, 0-9, '.', '_', ':', '-'",
            });
        }
        Ok(ClientRef(s.to_owned()))
    }
}

impl TryFrom<String> for ClientRef {
    type Error = InvalidValue;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ClientRef> for String {
    fn from(value: ClientRef) -> Self {
        value.0
    }
}

impl fmt::Display for ClientRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_pseudonyms_and_refuses_everything_else() {
        assert!("client-42".parse::<ClientRef>().is_ok());
        assert!("EHR:abc_9.x".parse::<ClientRef>().is_ok());
        assert!("a".repeat(64).parse::<ClientRef>().is_ok());
        for bad in [
            "",
            " ",
            "a b",
            "name@example.org",
            "ü",
            "x/y",
            &"a".repeat(65),
        ] {
            assert!(
                bad.parse::<ClientRef>().is_err(),
                "{bad:?} should be refused"
            );
        }
    }
}
