//! Whole numbers in request bodies. JSON Schema's `integer` includes `84.0` (a number
//! whose fraction is zero), which serde's unsigned integers refuse: these accept it, and
//! still refuse fractions, negatives and values out of range.

use serde::de::Error;
use serde::{Deserialize, Deserializer};

fn whole<E: Error>(value: serde_json::Number, max: u64) -> Result<u64, E> {
    if let Some(n) = value.as_u64() {
        return (n <= max)
            .then_some(n)
            .ok_or_else(|| E::custom(format!("expected a whole number from 0 to {max}")));
    }
    match value.as_f64() {
        Some(f) if f.fract() == 0.0 && (0.0..=max as f64).contains(&f) => Ok(f as u64),
        _ => Err(E::custom(format!(
            "expected a whole number from 0 to {max}, got {value}"
        ))),
    }
}

pub fn opt_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    Option::<serde_json::Number>::deserialize(deserializer)?
        .map(|n| whole(n, u64::from(u32::MAX)).map(|n| n as u32))
        .transpose()
}

pub fn u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    whole(
        serde_json::Number::deserialize(deserializer)?,
        u64::from(u32::MAX),
    )
    .map(|n| n as u32)
}

pub fn opt_u8<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u8>, D::Error> {
    Option::<serde_json::Number>::deserialize(deserializer)?
        .map(|n| whole(n, u64::from(u8::MAX)).map(|n| n as u8))
        .transpose()
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "super::opt_u32")]
        days: Option<u32>,
    }

    fn days(json: &str) -> Result<Option<u32>, serde_json::Error> {
        serde_json::from_str::<Body>(json).map(|b| b.days)
    }

    #[test]
    fn whole_numbers_in_either_spelling() {
        assert_eq!(days(r#"{"days": 84}"#).ok(), Some(Some(84)));
        assert_eq!(days(r#"{"days": 84.0}"#).ok(), Some(Some(84)));
        assert_eq!(days(r#"{}"#).ok(), Some(None));
        for bad in [r#"{"days": 84.5}"#, r#"{"days": -1}"#, r#"{"days": 1e20}"#] {
            assert!(days(bad).is_err(), "{bad}");
        }
    }
}
