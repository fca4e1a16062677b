//! A building block (bouwsteen) of the recovery infrastructure: one service an
//! organisation offers, shaped after Open Referral HSDS 3 (service, eligibility, service
//! area, capacity, `assured_date`), with the referral kinds as its kinds.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::org_id::{GemeenteCode, OrgId};
use crate::kernel::text::BoundedText;
use crate::kernel::value::InvalidValue;
use crate::referral::ReferralKind;

string_enum! {
    /// HSDS 3 `service.status`.
    pub enum ServiceStatus ("service status") {
        Active => "active",
        Inactive => "inactive",
        TemporarilyClosed => "temporarily_closed",
        Defunct => "defunct",
    }
}

impl ServiceStatus {
    /// Whether referrals may be sent to it now.
    pub const fn takes_referrals(self) -> bool {
        matches!(self, ServiceStatus::Active)
    }
}

string_enum! {
    /// The unit capacity is counted in (HSDS 3 `service_capacity.unit`).
    pub enum CapacityUnit ("capacity unit") {
        Places => "places",
        Beds => "beds",
        IntakeSlots => "intake_slots",
    }
}

string_enum! {
    /// The HL7 Gravity answer to "is there room?".
    pub enum Availability ("availability") {
        Yes => "yes",
        No => "no",
        Waitlist => "waitlist",
    }
}

/// How much room a service has, as its owner last said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// Counted: `available` of `maximum` units.
    Counted {
        unit: CapacityUnit,
        available: u32,
        maximum: u32,
        updated_at: DateTime<Utc>,
    },
    /// Only yes / no / waitlist.
    Answer {
        availability: Availability,
        updated_at: DateTime<Utc>,
    },
}

impl Capacity {
    /// A counted capacity; `available` cannot exceed `maximum`.
    pub fn counted(
        unit: CapacityUnit,
        available: u32,
        maximum: u32,
        updated_at: DateTime<Utc>,
    ) -> Result<Self, InvalidValue> {
        if maximum > MAX_PLACES {
            return Err(InvalidValue {
                what: "capacity.maximum",
                rule: "at most 100000",
            });
        }
        if maximum == 0 || available > maximum {
            return Err(InvalidValue {
                what: "capacity",
                rule: "needs 0 <= available <= maximum and maximum >= 1",
            });
        }
        Ok(Capacity::Counted {
            unit,
            available,
            maximum,
            updated_at,
        })
    }

    /// The Gravity answer this capacity amounts to.
    pub fn availability(&self) -> Availability {
        match self {
            Capacity::Counted { available: 0, .. } => Availability::No,
            Capacity::Counted { .. } => Availability::Yes,
            Capacity::Answer { availability, .. } => *availability,
        }
    }
}

/// Who a service is for (HSDS 3 `eligibility`, plus whether a Wmo decision is needed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Eligibility {
    pub description: Option<BoundedText>,
    pub minimum_age: Option<u8>,
    pub maximum_age: Option<u8>,
    /// A Wmo beschikking (municipal decision) is needed before support starts.
    pub needs_wmo_decision: bool,
}

impl Eligibility {
    pub fn new(
        description: Option<BoundedText>,
        minimum_age: Option<u8>,
        maximum_age: Option<u8>,
        needs_wmo_decision: bool,
    ) -> Result<Self, InvalidValue> {
        if let (Some(min), Some(max)) = (minimum_age, maximum_age)
            && min > max
        {
            return Err(InvalidValue {
                what: "eligibility",
                rule: "minimum_age must not exceed maximum_age",
            });
        }
        if minimum_age.is_some_and(|a| a > 120) || maximum_age.is_some_and(|a| a > 120) {
            return Err(InvalidValue {
                what: "eligibility",
                rule: "ages are 0 to 120",
            });
        }
        Ok(Self {
            description,
            minimum_age,
            maximum_age,
            needs_wmo_decision,
        })
    }

    /// Whether a client of `age` may use the service (no age limits: everyone).
    pub fn admits(&self, age: u8) -> bool {
        self.minimum_age.is_none_or(|min| age >= min)
            && self.maximum_age.is_none_or(|max| age <= max)
    }
}

/// A language the service is offered in: a lower-case ISO 639-1 code (`nl`, `en`, `ar`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language([u8; 2]);

impl Language {
    pub fn parse(code: &str) -> Result<Self, InvalidValue> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_lowercase() && b.is_ascii_lowercase() => Ok(Language([*a, *b])),
            _ => Err(InvalidValue {
                what: "language",
                rule: "expected a two-letter lower-case ISO 639-1 code, e.g. nl",
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

/// What an owner says about a service (everything but its identity and history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDetails {
    pub name: BoundedText,
    pub description: Option<BoundedText>,
    pub kind: ReferralKind,
    pub status: ServiceStatus,
    /// The municipalities it serves (HSDS 3 `service_area`); at least one.
    pub serves: Vec<GemeenteCode>,
    pub eligibility: Eligibility,
    /// How to apply (HSDS 3 `application_process`).
    pub how_to_apply: Option<BoundedText>,
    /// Public contact details: a phone number, e-mail or website, never a person's own.
    pub public_phone: Option<BoundedText>,
    pub public_email: Option<BoundedText>,
    pub website: Option<BoundedText>,
    pub languages: Vec<Language>,
    /// When the owner last confirmed the record (HSDS 3 `assured_date`).
    pub assured_on: Option<NaiveDate>,
    /// The owner's own estimate of the wait, in days.
    pub stated_wait_days: Option<u32>,
}

impl ServiceDetails {
    /// Checks what no single field can: a service area, and no repeats in lists.
    pub fn validated(mut self) -> Result<Self, InvalidValue> {
        self.serves.sort();
        self.serves.dedup();
        if self.serves.is_empty() {
            return Err(InvalidValue {
                what: "serves",
                rule: "name at least one municipality (gemeentecode) the service serves",
            });
        }
        self.languages.sort();
        self.languages.dedup();
        if self
            .website
            .as_ref()
            .is_some_and(|w| !is_https_url(w.as_str()))
        {
            return Err(InvalidValue {
                what: "website",
                rule: "must be an https:// address (no javascript:, data: or plain http)",
            });
        }
        if self.stated_wait_days.is_some_and(|d| d > 3650) {
            return Err(InvalidValue {
                what: "stated_wait_days",
                rule: "at most 3650 days",
            });
        }
        Ok(self)
    }

    /// Whether it serves a resident of `municipality`.
    pub fn serves(&self, municipality: GemeenteCode) -> bool {
        self.serves.contains(&municipality)
    }
}

/// A service in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: crate::kernel::ids::ServiceId,
    pub owner: OrgId,
    pub details: ServiceDetails,
    pub capacity: Option<Capacity>,
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn now() -> DateTime<Utc> {
        chrono::DateTime::from_timestamp(1_764_576_000, 0).unwrap_or_default()
    }

    #[test]
    fn counted_capacity_stays_within_its_maximum() {
        assert!(Capacity::counted(CapacityUnit::Beds, 3, 2, now()).is_err());
        assert!(Capacity::counted(CapacityUnit::Beds, 0, 0, now()).is_err());
        let full = Capacity::counted(CapacityUnit::Places, 0, 12, now()).expect("valid");
        assert_eq!(full.availability(), Availability::No);
        let room = Capacity::counted(CapacityUnit::IntakeSlots, 2, 12, now()).expect("valid");
        assert_eq!(room.availability(), Availability::Yes);
    }

    #[test]
    fn eligibility_ages_are_ordered() {
        assert!(Eligibility::new(None, Some(30), Some(18), false).is_err());
        assert!(Eligibility::new(None, Some(18), Some(130), false).is_err());
        let adults = Eligibility::new(None, Some(18), None, true).expect("valid");
        assert!(adults.admits(18) && adults.admits(90) && !adults.admits(17));
    }

    #[test]
    fn languages_are_two_lower_case_letters() {
        assert_eq!(
            Language::parse("nl").map(|l| l.as_str().to_owned()),
            Ok("nl".to_owned())
        );
        for bad in ["NL", "nld", "n", "", "n1"] {
            assert!(Language::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_active_services_take_referrals() {
        for status in ServiceStatus::ALL {
            assert_eq!(status.takes_referrals(), *status == ServiceStatus::Active);
        }
    }

    proptest! {
        #[test]
        fn admits_exactly_the_ages_within_the_limits(min in 0u8..=120, max in 0u8..=120, age in 0u8..=120) {
            match Eligibility::new(None, Some(min), Some(max), false) {
                Ok(e) => prop_assert_eq!(e.admits(age), min <= age && age <= max),
                Err(_) => prop_assert!(min > max),
            }
        }

        #[test]
        fn counted_capacity_is_valid_iff_available_fits(available in 0u32..50, maximum in 0u32..50) {
            let valid = Capacity::counted(CapacityUnit::Places, available, maximum, now()).is_ok();
            prop_assert_eq!(valid, maximum >= 1 && available <= maximum);
        }
    }
}

/// The most places, beds or slots one service can count: more than any service has, and
/// well inside what every store keeps exactly.
pub const MAX_PLACES: u32 = 100_000;

/// Whether `text` is an `https://` address with a host: the only links a page or a client
/// may open without risk (a `javascript:` or `data:` link runs or shows whatever it holds).
pub fn is_https_url(text: &str) -> bool {
    let Some(rest) = text
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &text[8..])
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        && !text.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod website_tests {
    use super::is_https_url;

    #[test]
    fn only_https_addresses_with_a_host() {
        for good in [
            "https://www.example.nl",
            "HTTPS://example.nl/aanmelden?x=1",
            "https://[::1]:8443/",
        ] {
            assert!(is_https_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://example.nl",
            "https://",
            "https:///path",
            "https://exa mple.nl",
            "https://user@evil.example",
            "www.example.nl",
        ] {
            assert!(!is_https_url(bad), "{bad}");
        }
    }
}
