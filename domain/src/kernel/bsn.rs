//! The citizen service number (BSN). Its use is restricted by law (UAVG art. 46): it is
//! validated with the 11-proef and then only ever hashed or encrypted. The type has no
//! Display and a redacted Debug, so it cannot end up in a log or a message by accident.

use std::fmt;

use crate::kernel::value::InvalidValue;

#[derive(Clone, PartialEq, Eq)]
pub struct Bsn([u8; 9]);

const INVALID: InvalidValue = InvalidValue {
    what: "bsn",
    rule: "expected 9 digits that pass the 11-proef",
};

impl Bsn {
    /// Parses nine digits that pass the 11-proef. The error never repeats the input.
    pub fn parse(text: &str) -> Result<Bsn, InvalidValue> {
        let bytes = text.as_bytes();
        if bytes.len() != 9 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(INVALID);
        }
        let digits: Vec<i64> = bytes.iter().map(|b| i64::from(b - b'0')).collect();
        let weighted: i64 = digits[..8]
            .iter()
            .zip((2..=9).rev())
            .map(|(d, w)| d * w)
            .sum::<i64>()
            - digits[8];
        if weighted == 0 || weighted % 11 != 0 {
            return Err(INVALID);
        }
        let mut out = [0u8; 9];
        out.copy_from_slice(bytes);
        Ok(Bsn(out))
    }

    /// The digits, for keyed hashing and encryption only.
    pub fn expose_digits(&self) -> &[u8; 9] {
        &self.0
    }
}

/// The 9-digit runs of `text` that pass the 11-proef, as byte ranges: a run counts when
/// neither neighbour is a letter or a digit (an id such as `a123456782b` is not a BSN,
/// `x=123456782` and `sys|123456782` are).
pub fn find_in(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if Bsn::parse(&text[start..i]).is_ok() {
            found.push(start..i);
        }
    }
    found
}

/// Whether `text` holds a number that passes the 11-proef as a word of its own.
pub fn appears_in(text: &str) -> bool {
    !find_in(text).is_empty()
}

/// `text` with every BSN in it (see [`find_in`]) replaced by nine asterisks: for log lines
/// that echo what a caller sent.
pub fn masked(text: &str) -> std::borrow::Cow<'_, str> {
    let found = find_in(text);
    if found.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.to_owned();
    for range in found.into_iter().rev() {
        out.replace_range(range, "*********");
    }
    std::borrow::Cow::Owned(out)
}

impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bsn(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleven_test() {
        assert!(Bsn::parse("111222333").is_ok());
        assert!(Bsn::parse("123456782").is_ok());
        for bad in [
            "111222334",
            "000000000",
            "12345678",
            "1234567890",
            "12345678a",
            " 11122233",
        ] {
            let err = Bsn::parse(bad).expect_err("refused");
            assert!(
                !err.to_string().contains(bad.trim()),
                "the error does not echo the input"
            );
        }
    }

    #[test]
    fn found_as_a_word_and_masked() {
        assert!(appears_in("bsn 123456782 here"));
        assert!(appears_in("https://x.example/ids|111222333"));
        assert!(!appears_in("a123456782"), "part of a longer word");
        assert!(!appears_in("1234567820"), "ten digits");
        assert!(!appears_in("123456783"), "fails the 11-proef");
        assert_eq!(masked("/v1/x?q=123456782&n=5"), "/v1/x?q=*********&n=5");
        assert_eq!(masked("nothing"), "nothing");
    }

    proptest::proptest! {
        #[test]
        fn masking_leaves_no_bsn(text in "[0-9a-z=&|/ ]{0,40}") {
            proptest::prop_assert!(!appears_in(&masked(&text)));
        }
    }

    #[test]
    fn debug_is_redacted() {
        let bsn = Bsn::parse("111222333").expect("valid");
        assert_eq!(format!("{bsn:?}"), "Bsn(<redacted>)");
    }
}
