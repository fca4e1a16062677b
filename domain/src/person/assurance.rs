//! Levels of assurance of a person's sign-in (the `acr` claim), ordered, from the names
//! DigiD brokers and eIDAS use. A sign-in below the configured minimum is refused: health
//! data asks at least "substantial" (DigiD Substantieel; the Wabvpz and NEN 7512 advice).

use crate::kernel::value::InvalidValue;

string_enum! {
    /// An assurance level, lowest first.
    pub enum Assurance ("assurance level") {
        Low => "low",
        Substantial => "substantial",
        High => "high",
    }
}

/// Every `acr` value understood, with its level: eIDAS's, DigiD's SAML authentication
/// contexts (Basis, Midden, Substantieel, Hoog), and the plain names. DigiD Midden sits
/// below eIDAS substantial, so it counts as low.
const ACR: &[(&str, Assurance)] = &[
    ("http://eidas.europa.eu/LoA/low", Assurance::Low),
    (
        "http://eidas.europa.eu/LoA/substantial",
        Assurance::Substantial,
    ),
    ("http://eidas.europa.eu/LoA/high", Assurance::High),
    (
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
        Assurance::Low,
    ),
    (
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        Assurance::Low,
    ),
    (
        "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
        Assurance::Substantial,
    ),
    (
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
        Assurance::High,
    ),
    ("low", Assurance::Low),
    ("substantial", Assurance::Substantial),
    ("high", Assurance::High),
];

impl Assurance {
    /// The level an `acr` value names; an unknown value names none (and is refused).
    pub fn of_acr(acr: &str) -> Result<Assurance, InvalidValue> {
        ACR.iter()
            .find(|(name, _)| *name == acr)
            .map(|(_, level)| *level)
            .ok_or(InvalidValue {
                what: "acr",
                rule: "expected an eIDAS or DigiD level of assurance",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_midden_is_not_substantial() {
        assert!(
            Assurance::Low < Assurance::Substantial && Assurance::Substantial < Assurance::High
        );
        let midden =
            Assurance::of_acr("urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract");
        assert_eq!(midden, Ok(Assurance::Low));
        assert_eq!(
            Assurance::of_acr("http://eidas.europa.eu/LoA/substantial"),
            Ok(Assurance::Substantial)
        );
        assert!(Assurance::of_acr("anything").is_err());
    }
}
