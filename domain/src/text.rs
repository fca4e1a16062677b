//! Free text with a bound on its length, trimmed, without control characters except
//! newlines: what people type into notes and reasons.

use std::fmt;

use crate::error::InvalidValue;

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct BoundedText(String);

impl BoundedText {
    /// Parses `text` for the field `what`, allowing at most `max` characters.
    /// The bound holds for the text as sent, so it matches the schema's `maxLength`.
    pub fn parse(what: &'static str, text: &str, max: usize) -> Result<Self, InvalidValue> {
        if text.chars().count() > max {
            return Err(InvalidValue {
                what,
                rule: "is too long",
            });
        }
        // Checked before trimming, so a tab at the edge is refused like one inside: what the
        // document's pattern for texts says.
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(InvalidValue {
                what,
                rule: "must not contain control characters",
            });
        }
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(InvalidValue {
                what,
                rule: "must not be empty",
            });
        }
        if trimmed.chars().count() > max {
            return Err(InvalidValue {
                what,
                rule: "is too long",
            });
        }
        Ok(BoundedText(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BoundedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(
            BoundedText::parse("x", "  hi  ", 6).map(|t| t.to_string()),
            Ok("hi".to_owned())
        );
        assert!(
            BoundedText::parse("x", "  hi  ", 5).is_err(),
            "the bound holds for the text as sent, as the schema's maxLength does"
        );
        assert!(BoundedText::parse("x", "   ", 5).is_err());
        assert!(BoundedText::parse("x", "toolong", 5).is_err());
        assert!(BoundedText::parse("x", "a\u{0}b", 5).is_err());
        assert!(BoundedText::parse("x", "a\nb", 5).is_ok());
    }
}
