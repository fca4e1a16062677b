//! The citizen service number (BSN). Its use is restricted by law (UAVG art. 46): it is
//! validated with the 11-proef and then only ever hashed or encrypted. The type has no
//! Display and a redacted Debug, so it cannot end up in a log or a message by accident.

use std::fmt;

use crate::error::InvalidValue;

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
    fn debug_is_redacted() {
        let bsn = Bsn::parse("111222333").expect("valid");
        assert_eq!(format!("{bsn:?}"), "Bsn(<redacted>)");
    }
}
