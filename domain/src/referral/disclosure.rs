//! What a recipient may see of a referral (from the disclosure table), decided by the client's consent
//! and the referral's status (as in eOverdracht: request details while open, contact
//! details once accepted, nothing personal once closed). Never diagnoses, substances,
//! treatment notes or BSN: the referral does not hold them.

use crate::disclosure::{Field, Party, Situation, may_see};
use crate::referral::ReferralStatus;

/// Which groups of personal data a recipient sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disclosure {
    /// The client's name.
    pub identity: bool,
    /// The needs description and requested start.
    pub request: bool,
    /// The client's phone, e-mail and address.
    pub contact: bool,
    /// The referring professional's name and contact.
    pub professional: bool,
}

impl Disclosure {
    pub const NOTHING: Disclosure = Disclosure {
        identity: false,
        request: false,
        contact: false,
        professional: false,
    };

    /// What the recipient sees of a referral in `status`, with or without valid consent:
    /// read from the one disclosure table.
    pub const fn for_recipient(status: ReferralStatus, consent_holds: bool) -> Disclosure {
        let s = Situation::referral(status, consent_holds);
        Disclosure {
            identity: may_see(Party::Recipient, Field::ClientName, s),
            request: may_see(Party::Recipient, Field::ClientRequest, s),
            contact: may_see(Party::Recipient, Field::ClientContact, s),
            professional: may_see(Party::Recipient, Field::ProfessionalContact, s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_withdrawal_hides_everything_in_every_status() {
        for status in ReferralStatus::ALL {
            assert_eq!(
                Disclosure::for_recipient(*status, false),
                Disclosure::NOTHING
            );
        }
    }

    #[test]
    fn contact_details_only_once_accepted_and_nothing_once_closed() {
        assert!(!Disclosure::for_recipient(ReferralStatus::Received, true).contact);
        assert!(Disclosure::for_recipient(ReferralStatus::Received, true).identity);
        assert!(Disclosure::for_recipient(ReferralStatus::Accepted, true).contact);
        for status in ReferralStatus::ALL.iter().filter(|s| !s.is_open()) {
            assert_eq!(
                Disclosure::for_recipient(*status, true),
                Disclosure::NOTHING,
                "{status}"
            );
        }
    }
}
