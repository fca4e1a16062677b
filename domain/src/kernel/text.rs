//! Free text with a bound on its length, trimmed, without control characters except
//! newlines: what people type into notes and reasons.

use std::fmt;

use crate::kernel::value::InvalidValue;

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

    /// As [`parse`](Self::parse), for text that reaches another organisation (a
    /// referral's needs, mirrored into FHIR `Task.description`): a number that passes the
    /// 11-proef (a BSN) or a diagnosis code is refused, since the recipient may see
    /// neither (UAVG art. 46; the disclosure table shows no diagnosis to anyone but the
    /// treating provider).
    pub fn parse_shared(what: &'static str, text: &str, max: usize) -> Result<Self, InvalidValue> {
        let parsed = Self::parse(what, text, max)?;
        if crate::kernel::bsn::appears_in(text) {
            return Err(InvalidValue {
                what,
                rule: "must not hold a BSN (a number that passes the 11-proef)",
            });
        }
        if holds_diagnosis_code(text) {
            return Err(InvalidValue {
                what,
                rule: "must not hold a diagnosis code (ICD-10 or DSM-5); describe the support needed",
            });
        }
        Ok(parsed)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `text` holds a word that reads as a diagnosis code: an ICD-10 code of chapter F
/// (mental and behavioural disorders, `F10`, `F10.2`), any dotted ICD-10 code (`K70.3`), or
/// a DSM-5 / ICD-9-CM mental-disorder code (`303.90`, 290 to 319 with decimals).
pub fn holds_diagnosis_code(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .map(|w| w.trim_end_matches('.'))
        .any(is_diagnosis_code)
}

fn is_diagnosis_code(word: &str) -> bool {
    let (head, decimals) = match word.split_once('.') {
        Some((head, decimals)) => (head, Some(decimals)),
        None => (word, None),
    };
    let decimals_ok = decimals
        .is_none_or(|d| (1..=2).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()));
    let bytes = head.as_bytes();
    let icd10 = bytes.len() == 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1..].iter().all(u8::is_ascii_digit)
        && (bytes[0].eq_ignore_ascii_case(&b'F') || decimals.is_some());
    let dsm = decimals.is_some()
        && head.len() == 3
        && head.parse::<u16>().is_ok_and(|n| (290..=319).contains(&n));
    decimals_ok && (icd10 || dsm)
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
    fn shared_text_refuses_a_bsn_and_diagnosis_codes() {
        for bad in [
            "Cliënt 123456782 zoekt woonruimte",
            "Diagnose F10.2, zoekt werk",
            "f12 en schulden",
            "DSM 303.90.",
            "Leverziekte (K70.3)",
        ] {
            assert!(
                BoundedText::parse_shared("needs", bad, 500).is_err(),
                "{bad}"
            );
        }
        for fine in [
            "Zoekt woonruimte via de A12 en hulp bij schulden",
            "Huur 950.00 per maand, 3 kinderen",
            "Afspraak om 10.30 uur",
            "Postcode 6511 AA",
        ] {
            assert!(
                BoundedText::parse_shared("needs", fine, 500).is_ok(),
                "{fine}"
            );
        }
    }

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
