//! Errors of values parsed at the edge: a name outside a closed set, a malformed value, a
//! field that breaks a rule. Every capability uses them; they name no capability's types.

/// A name that is not one of a closed set; the message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{got}`; expected one of: {}", .expected.join(", "))]
pub struct UnknownValue {
    pub what: &'static str,
    pub got: String,
    pub expected: &'static [&'static str],
}

impl UnknownValue {
    pub fn new(what: &'static str, got: &str, expected: &'static [&'static str]) -> Self {
        // Bound what we echo back: the input may be arbitrarily long.
        let got: String = got.chars().take(64).collect();
        Self {
            what,
            got,
            expected,
        }
    }
}

/// A value that does not have the required form (an identifier, a reference).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: {rule}")]
pub struct InvalidValue {
    pub what: &'static str,
    pub rule: &'static str,
}

/// A field whose value breaks a rule of its own or against another field. Shared by every
/// capability that takes dates and free-form values; nothing changes when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("`{later}` ({later_date}) must not be before `{earlier}` ({earlier_date})")]
    DatesOutOfOrder {
        earlier: &'static str,
        earlier_date: chrono::NaiveDate,
        later: &'static str,
        later_date: chrono::NaiveDate,
    },
    #[error("`{later}` ({later_date}) must be after `{earlier}` ({earlier_date})")]
    DatesNotAfter {
        earlier: &'static str,
        earlier_date: chrono::NaiveDate,
        later: &'static str,
        later_date: chrono::NaiveDate,
    },
    #[error("`{field}`: {rule}")]
    FieldRule {
        field: &'static str,
        rule: &'static str,
    },
    #[error("`{field}` ({date}) must not be in the future")]
    DateInFuture {
        field: &'static str,
        date: chrono::NaiveDate,
    },
}
