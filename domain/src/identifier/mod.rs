//! Identifiers other systems give our objects (an EHR's episode id, an iWmo toewijzing
//! number, a FHIR resource id): a system URI and a value, parsed at the edge.

use std::fmt;

use crate::kernel::value::InvalidValue;

/// The most identifiers one organisation keeps on one object.
pub const MAX_PER_OBJECT: usize = 20;
const SYSTEM_MAX: usize = 255;
const VALUE_MAX: usize = 128;

/// The namespace of an identifier: an absolute URI (`https://…`, `urn:oid:…`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IdentifierSystem(String);

/// The identifier itself, unique within its system for one organisation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IdentifierValue(String);

/// A system and a value; written `system|value` in a search (FHIR's token syntax).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Identifier {
    pub system: IdentifierSystem,
    pub value: IdentifierValue,
}

/// The kinds of object that carry identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifiedKind {
    Trajectory,
    Referral,
    Service,
}

impl IdentifiedKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            IdentifiedKind::Trajectory => "trajectory",
            IdentifiedKind::Referral => "referral",
            IdentifiedKind::Service => "service",
        }
    }
}

impl IdentifierSystem {
    /// RFC 3986 scheme, a colon, then visible characters other than `|` (which separates
    /// system from value in a search).
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let invalid = |rule| InvalidValue {
            what: "identifier system",
            rule,
        };
        if text.is_empty() || text.chars().count() > SYSTEM_MAX {
            return Err(invalid("must be 1 to 255 characters"));
        }
        let (scheme, rest) = text.split_once(':').ok_or(invalid(
            "must be an absolute URI such as https://… or urn:oid:…",
        ))?;
        let scheme_ok = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok || rest.is_empty() {
            return Err(invalid(
                "must be an absolute URI such as https://… or urn:oid:…",
            ));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic() && b != b'|') {
            return Err(invalid("must be visible ASCII without `|`"));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl IdentifierValue {
    /// 1 to 128 characters, no control characters, no white space at either end.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let invalid = |rule| InvalidValue {
            what: "identifier value",
            rule,
        };
        if text.is_empty() || text.chars().count() > VALUE_MAX {
            return Err(invalid("must be 1 to 128 characters"));
        }
        if text.chars().any(char::is_control) {
            return Err(invalid("must not contain control characters"));
        }
        if text.trim() != text {
            return Err(invalid("must not start or end with white space"));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Identifier {
    pub fn parse(system: &str, value: &str) -> Result<Self, InvalidValue> {
        Ok(Self {
            system: IdentifierSystem::parse(system)?,
            value: IdentifierValue::parse(value)?,
        })
    }

    /// `system|value`, split at the first `|` (a system has none).
    pub fn parse_token(token: &str) -> Result<Self, InvalidValue> {
        let (system, value) = token.split_once('|').ok_or(InvalidValue {
            what: "identifier",
            rule: "must be written system|value",
        })?;
        Self::parse(system, value)
    }

    /// A set for one object: at most [`MAX_PER_OBJECT`], none twice.
    pub fn check_set(identifiers: &[Identifier]) -> Result<(), InvalidValue> {
        if identifiers.len() > MAX_PER_OBJECT {
            return Err(InvalidValue {
                what: "identifiers",
                rule: "at most 20 per object",
            });
        }
        let mut sorted: Vec<&Identifier> = identifiers.iter().collect();
        sorted.sort();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(InvalidValue {
                what: "identifiers",
                rule: "must not list the same identifier twice",
            });
        }
        Ok(())
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}", self.system.0, self.value.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systems_are_absolute_uris_without_a_bar() {
        for ok in [
            "https://ehr.example.nl/episodes",
            "urn:oid:2.16.840.1.113883.2.4.6.3",
            "http://hl7.org/fhir/sid/us-npi",
        ] {
            assert!(IdentifierSystem::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "episodes",
            ":x",
            "1http://x",
            "https://a b",
            "https://x|y",
            "urn:",
        ] {
            assert!(IdentifierSystem::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn values_are_trimmed_text_without_control_characters() {
        assert!(IdentifierValue::parse("EP-2026-00417").is_ok());
        assert!(IdentifierValue::parse("0268 2026 000123").is_ok());
        for bad in ["", " x", "x ", "a\tb", &"x".repeat(129)] {
            assert!(IdentifierValue::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_token_splits_at_the_first_bar_and_prints_back() {
        let id = Identifier::parse_token("https://ehr.example.nl/episodes|EP|17").expect("token");
        assert_eq!(id.system.as_str(), "https://ehr.example.nl/episodes");
        assert_eq!(id.value.as_str(), "EP|17");
        assert_eq!(id.to_string(), "https://ehr.example.nl/episodes|EP|17");
        assert!(Identifier::parse_token("EP-17").is_err());
    }

    #[test]
    fn a_set_has_no_twins_and_a_bound() {
        let one = Identifier::parse("urn:x:a", "1").expect("id");
        let two = Identifier::parse("urn:x:a", "2").expect("id");
        assert!(Identifier::check_set(&[one.clone(), two]).is_ok());
        assert!(Identifier::check_set(&[one.clone(), one.clone()]).is_err());
        let many: Vec<Identifier> = (0..21)
            .map(|i| Identifier::parse("urn:x:a", &i.to_string()).expect("id"))
            .collect();
        assert!(Identifier::check_set(&many).is_err());
    }
}
