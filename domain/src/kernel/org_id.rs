//! Organisation identifiers: AGB codes for care providers, CBS codes for municipalities,
//! and registry numbers for informal organisations (self-help groups, peer experts).

use std::fmt;
use std::str::FromStr;

use crate::kernel::value::InvalidValue;

/// An 8-digit AGB code identifying a healthcare provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgbCode([u8; 8]);

/// A 4-digit CBS municipality code (gemeentecode), e.g. `0363` for Amsterdam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GemeenteCode([u8; 4]);

/// A registered informal organisation: a self-help group or peer-expert collective has no
/// AGB code and is no municipality, so Herstelbrug's own registry numbers it (6 digits,
/// never `000000`), e.g. `informeel:000042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InformalId([u8; 6]);

/// An organisation: a care provider, a municipality or a registered informal organisation.
/// Written `agb:12345678`, `gemeente:0363` or `informeel:000042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgId {
    Agb(AgbCode),
    Gemeente(GemeenteCode),
    Informal(InformalId),
}

const ORG_RULE: &str = "expected `agb:` followed by 8 digits, `gemeente:` followed by 4 digits \
                        or `informeel:` followed by 6 digits";

fn digits<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = text.as_bytes();
    if bytes.len() != N || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    Some(out)
}

fn as_text(bytes: &[u8]) -> &str {
    // Only ASCII digits are ever stored, so this cannot fail.
    std::str::from_utf8(bytes).unwrap_or_default()
}

impl AgbCode {
    pub fn parse(digits_only: &str) -> Result<Self, InvalidValue> {
        digits::<8>(digits_only).map(AgbCode).ok_or(InvalidValue {
            what: "AGB code",
            rule: "expected 8 digits",
        })
    }

    pub fn digits(&self) -> &str {
        as_text(&self.0)
    }
}

impl GemeenteCode {
    pub fn parse(digits_only: &str) -> Result<Self, InvalidValue> {
        match digits::<4>(digits_only) {
            Some(code) if code != *b"0000" => Ok(GemeenteCode(code)),
            _ => Err(InvalidValue {
                what: "municipality code",
                rule: "expected 4 digits, not 0000",
            }),
        }
    }

    pub fn digits(&self) -> &str {
        as_text(&self.0)
    }
}

impl InformalId {
    pub fn parse(digits_only: &str) -> Result<Self, InvalidValue> {
        match digits::<6>(digits_only) {
            Some(code) if code != *b"000000" => Ok(InformalId(code)),
            _ => Err(InvalidValue {
                what: "informal organisation number",
                rule: "expected 6 digits, not 000000",
            }),
        }
    }

    /// The registry's `n`-th number; `None` past 999999 or for 0.
    pub fn from_number(n: u32) -> Option<Self> {
        if n == 0 || n > 999_999 {
            return None;
        }
        Self::parse(&format!("{n:06}")).ok()
    }

    pub fn digits(&self) -> &str {
        as_text(&self.0)
    }
}

impl fmt::Display for InformalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "informeel:{}", self.digits())
    }
}

impl fmt::Display for AgbCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "agb:{}", self.digits())
    }
}

impl fmt::Display for GemeenteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gemeente:{}", self.digits())
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrgId::Agb(code) => code.fmt(f),
            OrgId::Gemeente(code) => code.fmt(f),
            OrgId::Informal(id) => id.fmt(f),
        }
    }
}

impl FromStr for OrgId {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = InvalidValue {
            what: "organisation id",
            rule: ORG_RULE,
        };
        match s.split_once(':') {
            Some(("agb", rest)) => AgbCode::parse(rest).map(OrgId::Agb).map_err(|_| invalid),
            Some(("gemeente", rest)) => GemeenteCode::parse(rest)
                .map(OrgId::Gemeente)
                .map_err(|_| invalid),
            Some(("informeel", rest)) => InformalId::parse(rest)
                .map(OrgId::Informal)
                .map_err(|_| invalid),
            _ => Err(invalid),
        }
    }
}

impl FromStr for AgbCode {
    type Err = InvalidValue;

    /// Parses the written form `agb:12345678`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<OrgId>() {
            Ok(OrgId::Agb(code)) => Ok(code),
            _ => Err(InvalidValue {
                what: "care provider",
                rule: "expected `agb:` followed by 8 digits",
            }),
        }
    }
}

impl FromStr for GemeenteCode {
    type Err = InvalidValue;

    /// Parses the written form `gemeente:0363`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<OrgId>() {
            Ok(OrgId::Gemeente(code)) => Ok(code),
            _ => Err(InvalidValue {
                what: "municipality",
                rule: "expected `gemeente:` followed by 4 digits",
            }),
        }
    }
}

impl FromStr for InformalId {
    type Err = InvalidValue;

    /// Parses the written form `informeel:000042`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<OrgId>() {
            Ok(OrgId::Informal(id)) => Ok(id),
            _ => Err(InvalidValue {
                what: "informal organisation",
                rule: "expected `informeel:` followed by 6 digits",
            }),
        }
    }
}

impl From<InformalId> for OrgId {
    fn from(id: InformalId) -> Self {
        OrgId::Informal(id)
    }
}

impl From<AgbCode> for OrgId {
    fn from(code: AgbCode) -> Self {
        OrgId::Agb(code)
    }
}

impl From<GemeenteCode> for OrgId {
    fn from(code: GemeenteCode) -> Self {
        OrgId::Gemeente(code)
    }
}

macro_rules! serde_via_display {
    ($($ty:ty),+) => {$(
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    )+};
}

serde_via_display!(AgbCode, GemeenteCode, InformalId, OrgId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_both_kinds() {
        let agb: OrgId = "agb:12345678".parse().expect("valid agb");
        assert_eq!(agb.to_string(), "agb:12345678");
        let gemeente: OrgId = "gemeente:0363".parse().expect("valid gemeente");
        assert_eq!(gemeente.to_string(), "gemeente:0363");
        assert!(matches!(gemeente, OrgId::Gemeente(_)));
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "agb:",
            "agb:1234567",
            "agb:123456789",
            "agb:1234567a",
            "gemeente:363",
            "gemeente:00363",
            "gemeente:0000",
            "AGB:12345678",
            "zorg:12345678",
            "12345678",
            "gemeente:０３６３",
            "informeel:",
            "informeel:000000",
            "informeel:12345",
            "informeel:1234567",
            "Informeel:000001",
        ] {
            assert!(bad.parse::<OrgId>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn informal_organisations_have_a_kind_of_their_own() {
        let aa: OrgId = "informeel:000042".parse().expect("valid informal id");
        assert!(matches!(aa, OrgId::Informal(_)));
        assert_eq!(aa.to_string(), "informeel:000042");
        assert_eq!(
            InformalId::from_number(42).map(OrgId::from),
            Some(aa),
            "the registry's 42nd number"
        );
        assert_eq!(InformalId::from_number(0), None);
        assert_eq!(InformalId::from_number(1_000_000), None);
        assert!("informeel:000042".parse::<AgbCode>().is_err());
        assert!("agb:12345678".parse::<InformalId>().is_err());
    }

    #[test]
    fn kind_specific_parsers_refuse_the_other_kind() {
        assert!("gemeente:0363".parse::<AgbCode>().is_err());
        assert!("agb:12345678".parse::<GemeenteCode>().is_err());
        assert_eq!(
            "gemeente:0268"
                .parse::<GemeenteCode>()
                .map(|c| c.to_string()),
            Ok("gemeente:0268".to_owned())
        );
    }

    #[test]
    fn serde_round_trip() {
        let org: OrgId = serde_json::from_str("\"agb:87654321\"").expect("deserializes");
        assert_eq!(
            serde_json::to_string(&org).expect("serializes"),
            "\"agb:87654321\""
        );
        assert!(serde_json::from_str::<OrgId>("\"agb:x\"").is_err());
    }
}
