//! The one disclosure table: which personal fields each kind of party may see of a client
//! and the people around them, and under which condition. Every surface that shows a
//! person to another organisation (REST views, feeds, webhooks, FHIR) asks [`may_see`];
//! the table is also rendered in the README (`rows` gives it in order), and the black-box
//! disclosure tests are generated from it.

use crate::referral::ReferralStatus;

#[cfg(test)]
mod tests;

string_enum! {
    /// A personal field Herstelbrug can disclose.
    pub enum Field ("disclosed field") {
        /// The client's name.
        ClientName => "client_name",
        /// What the client needs and from when (a referral's request).
        ClientRequest => "client_request",
        /// The client's phone, e-mail and address.
        ClientContact => "client_contact",
        /// That a naaste takes part, and her relation to the client.
        NaastePresence => "naaste_presence",
        /// A naaste's name, phone and e-mail.
        NaasteContact => "naaste_contact",
        /// The treating provider's contact persons (name, work phone and e-mail).
        ProfessionalContact => "professional_contact",
        /// Text one professional wrote for another (reasons given by hand, notes).
        FreeText => "free_text",
        /// Who acted: a staff member's `sub`.
        StaffId => "staff_id",
        /// Why treatment ended (a dropout, a planned end).
        TreatmentEndReason => "treatment_end_reason",
        /// That the client's path broke (a gap alert about the trajectory: when and where).
        /// A recipient hears of its own referral's alerts, not of these.
        GapAlert => "gap_alert",
    }
}

string_enum! {
    /// Who looks, as seen from one client and one referral.
    pub enum Party ("party") {
        /// The provider treating the client (the referral's requester).
        TreatingProvider => "treating_provider",
        /// The organisation a referral is addressed to.
        Recipient => "recipient",
        /// The client's municipality of residence, when it is not the recipient.
        Municipality => "municipality",
        /// Any organisation not on the referral.
        Outsider => "outsider",
        /// The client, signed in as themselves, or someone representing them.
        Client => "client",
        /// A naaste the client invited at level `contact`: who to call, her meetings.
        NaasteContact => "naaste_contact",
        /// A naaste the client invited at level `follow`: also the steps and referrals.
        NaasteFollow => "naaste_follow",
    }
}

string_enum! {
    /// The condition under which a party sees a field.
    pub enum Condition ("disclosure condition") {
        Always => "always",
        /// The client's consent to share with this party holds.
        Consent => "consent",
        /// ... and the referral is open (not rejected, completed, failed or cancelled).
        ConsentWhileOpen => "consent_while_open",
        /// ... and the referral is accepted (or under way) and not closed.
        ConsentOnceAccepted => "consent_once_accepted",
        /// The client's consent to involve the naaste names this party, the consent to
        /// share with it holds, and the referral is open.
        NaasteConsentWhileOpen => "naaste_consent_while_open",
        /// As the previous one, and the referral is accepted and not closed.
        NaasteConsentOnceAccepted => "naaste_consent_once_accepted",
        Never => "never",
    }
}

/// Where a referral stands, as far as disclosure goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Requested, received or under assessment.
    Open,
    /// Accepted or in progress.
    Accepted,
    /// Rejected, completed, failed or cancelled.
    Closed,
}

impl Stage {
    pub const fn of(status: ReferralStatus) -> Stage {
        match status {
            ReferralStatus::Requested
            | ReferralStatus::Received
            | ReferralStatus::UnderAssessment => Stage::Open,
            ReferralStatus::Accepted | ReferralStatus::InProgress => Stage::Accepted,
            ReferralStatus::Rejected
            | ReferralStatus::Completed
            | ReferralStatus::Failed
            | ReferralStatus::Cancelled => Stage::Closed,
        }
    }
}

/// What decides a condition at the moment of disclosure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Situation {
    /// The client's consent to share with the looking party holds now.
    pub consent_holds: bool,
    /// The client's consent to involve the naaste names the looking party (naaste fields).
    pub naaste_consent: bool,
    /// The referral the party looks through; `None` where there is none (a municipality
    /// informed of a gap alert): then only `Always` and `Consent` can hold.
    pub stage: Option<Stage>,
}

impl Situation {
    /// Looking through a referral in `status`.
    pub const fn referral(status: ReferralStatus, consent_holds: bool) -> Situation {
        Situation {
            consent_holds,
            naaste_consent: false,
            stage: Some(Stage::of(status)),
        }
    }

    /// Looking at no referral (an alert about the whole trajectory).
    pub const fn trajectory(consent_holds: bool) -> Situation {
        Situation {
            consent_holds,
            naaste_consent: false,
            stage: None,
        }
    }

    /// The same, for a naaste whose involvement consent does (or does not) name the party.
    pub const fn naaste(self, named: bool) -> Situation {
        Situation {
            naaste_consent: named,
            ..self
        }
    }
}

/// The table: one row per field, one condition per party (in [`Party::ALL`] order).
pub const fn row(field: Field) -> [Condition; PARTIES] {
    use Condition::*;
    // Organisations: treating provider, recipient, municipality, outsider; then the
    // people: the client (or representative), a naaste at `contact`, at `follow`.
    // The client sees their own path but not what professionals wrote to each other
    // or who among the staff acted; a naaste never sees medical content or free text.
    match field {
        Field::ClientName => [
            Always,
            ConsentWhileOpen,
            Consent,
            Never,
            Always,
            Always,
            Always,
        ],
        Field::ClientRequest => [
            Always,
            ConsentWhileOpen,
            Never,
            Never,
            Always,
            Never,
            Always,
        ],
        Field::ClientContact => [
            Always,
            ConsentOnceAccepted,
            Consent,
            Never,
            Always,
            Never,
            Never,
        ],
        Field::NaastePresence => [
            Always,
            NaasteConsentWhileOpen,
            Never,
            Never,
            Always,
            Never,
            Never,
        ],
        Field::NaasteContact => [
            Always,
            NaasteConsentOnceAccepted,
            Never,
            Never,
            Always,
            Never,
            Never,
        ],
        Field::ProfessionalContact => [
            Always,
            ConsentWhileOpen,
            Never,
            Never,
            Always,
            Always,
            Always,
        ],
        Field::FreeText => [Always, ConsentWhileOpen, Never, Never, Never, Never, Never],
        Field::StaffId => [Always, ConsentWhileOpen, Never, Never, Never, Never, Never],
        Field::TreatmentEndReason => [Always, Never, Never, Never, Always, Never, Never],
        Field::GapAlert => [Always, Never, Consent, Never, Always, Never, Always],
    }
}

/// The number of parties, the table's width.
pub const PARTIES: usize = Party::ALL.len();

/// The condition under which `party` sees `field`.
pub const fn condition(party: Party, field: Field) -> Condition {
    let row = row(field);
    match party {
        Party::TreatingProvider => row[0],
        Party::Recipient => row[1],
        Party::Municipality => row[2],
        Party::Outsider => row[3],
        Party::Client => row[4],
        Party::NaasteContact => row[5],
        Party::NaasteFollow => row[6],
    }
}

impl Condition {
    pub const fn holds(self, s: Situation) -> bool {
        let open = matches!(s.stage, Some(Stage::Open | Stage::Accepted));
        let accepted = matches!(s.stage, Some(Stage::Accepted));
        match self {
            Condition::Always => true,
            Condition::Consent => s.consent_holds,
            Condition::ConsentWhileOpen => s.consent_holds && open,
            Condition::ConsentOnceAccepted => s.consent_holds && accepted,
            Condition::NaasteConsentWhileOpen => s.consent_holds && s.naaste_consent && open,
            Condition::NaasteConsentOnceAccepted => s.consent_holds && s.naaste_consent && accepted,
            Condition::Never => false,
        }
    }
}

/// Whether `party` may see `field` in situation `s`.
pub const fn may_see(party: Party, field: Field, s: Situation) -> bool {
    condition(party, field).holds(s)
}

/// Every row of the table, for rendering it and for the tests generated from it.
pub fn rows() -> impl Iterator<Item = (Field, [Condition; PARTIES])> {
    Field::ALL.iter().map(|f| (*f, row(*f)))
}

/// The table as Markdown, as the README shows it (a test holds the README to it).
pub fn markdown() -> String {
    let mut out = String::from("| field |");
    for party in Party::ALL {
        out.push_str(&format!(" {party} |"));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Party::ALL.len()));
    out.push('\n');
    for (field, conditions) in rows() {
        out.push_str(&format!("| {field} |"));
        for condition in conditions {
            out.push_str(&format!(" {condition} |"));
        }
        out.push('\n');
    }
    out
}
