//! Plain Dutch (B1) for what a person reads of their own path: one exhaustive table per
//! code, so a new phase, status or rule cannot reach the page without its words.

use herstelbrug_domain::continuity::Rule;
use herstelbrug_domain::team::MeetingStatus;
use herstelbrug_domain::{EndReason, OrgId, Phase, ReferralKind, ReferralStatus};

pub fn phase(phase: Phase) -> &'static str {
    match phase {
        Phase::Treatment => "U krijgt behandeling",
        Phase::Transition => "Uw behandeling loopt af; de hulp daarna wordt geregeld",
        Phase::SocialSupport => "Uw behandeling is klaar; u krijgt nu steun in het dagelijks leven",
        Phase::Closed => "Dit traject is afgesloten",
    }
}

pub fn kind(kind: ReferralKind) -> &'static str {
    match kind {
        ReferralKind::Housing => "Wonen",
        ReferralKind::ShelteredHousing => "Beschermd wonen",
        ReferralKind::IncomeAndDebt => "Geld en schulden",
        ReferralKind::WorkAndDaytimeActivity => "Werk en dagbesteding",
        ReferralKind::PeerSupport => "Steun van ervaringsdeskundigen",
        ReferralKind::SelfHelpGroup => "Zelfhulpgroep",
        ReferralKind::FamilySupport => "Steun voor naasten",
        ReferralKind::Aftercare => "Nazorg",
        ReferralKind::GeneralPractitioner => "Huisarts",
        ReferralKind::WmoSupport => "Hulp van de gemeente (Wmo)",
        ReferralKind::Other => "Andere hulp",
    }
}

/// Where a referral stands, and what happens next, in words.
pub fn status(status: ReferralStatus) -> (&'static str, &'static str) {
    match status {
        ReferralStatus::Requested => (
            "Aangevraagd",
            "De organisatie moet de aanvraag nog bevestigen.",
        ),
        ReferralStatus::Received => (
            "Ontvangen",
            "De organisatie bekijkt de aanvraag en neemt contact met u op.",
        ),
        ReferralStatus::UnderAssessment => (
            "Wordt bekeken",
            "De organisatie onderzoekt welke hulp bij u past.",
        ),
        ReferralStatus::Accepted => (
            "Toegezegd",
            "De hulp is toegezegd. U hoort wanneer die begint.",
        ),
        ReferralStatus::Rejected => (
            "Afgewezen",
            "Deze organisatie kan u niet helpen. Uw behandelaar zoekt iets anders.",
        ),
        ReferralStatus::InProgress => ("Begonnen", "De hulp is begonnen."),
        ReferralStatus::Completed => ("Afgerond", "Deze hulp is afgerond."),
        ReferralStatus::Failed => (
            "Niet gelukt",
            "Deze hulp is niet doorgegaan. Uw behandelaar zoekt iets anders.",
        ),
        ReferralStatus::Cancelled => ("Gestopt", "Deze aanvraag is gestopt."),
    }
}

pub fn end_reason(reason: EndReason) -> &'static str {
    match reason {
        EndReason::PlannedCompletion => "Afgerond zoals gepland",
        EndReason::Dropout => "Gestopt voordat de behandeling klaar was",
        EndReason::ClientChoice => "Gestopt op uw eigen verzoek",
        EndReason::ReferredElsewhere => "U bent naar een andere zorgverlener gegaan",
        EndReason::Moved => "U bent verhuisd",
        EndReason::Deceased => "Overleden",
    }
}

/// What a gap alert means for the person, when one is open.
pub fn gap(rule: Rule) -> Option<&'static str> {
    match rule {
        Rule::TreatmentEndedWithoutFollowup => {
            Some("Uw behandeling is gestopt, maar de hulp daarna is nog niet geregeld.")
        }
        Rule::EndApproachingWithoutFollowup => {
            Some("Uw behandeling stopt binnenkort, maar de hulp daarna is nog niet geregeld.")
        }
        Rule::DropoutWithoutOutreach => {
            Some("U bent gestopt met de behandeling. Niemand heeft nog contact met u gezocht.")
        }
        Rule::SupportGap => Some("De hulp na uw behandeling is gestopt en er is niets anders."),
        Rule::ReferralUnacknowledged
        | Rule::WmoAssessmentOverdue
        | Rule::FollowupStartOverdue
        | Rule::OfferExpired
        | Rule::WarmHandoffMissing
        | Rule::OutcomeCheckOverdue => None,
    }
}

pub fn meeting(status: MeetingStatus) -> &'static str {
    match status {
        MeetingStatus::Planned => "Gepland",
        MeetingStatus::Held => "Geweest",
        MeetingStatus::NotHeld => "Niet doorgegaan",
        MeetingStatus::Postponed => "Verzet",
    }
}

/// An organisation as a person reads it: what kind it is, and its code.
pub fn organisation(org: OrgId) -> String {
    match org {
        OrgId::Agb(code) => format!("Zorgverlener (AGB {})", code.digits()),
        OrgId::Gemeente(code) => format!("Gemeente (code {})", code.digits()),
        OrgId::Informal(id) => format!("Vrijwilligersorganisatie ({id})"),
    }
}

/// A step of the path by its kind; kinds added later read as a plain "step".
pub fn step(kind: &str) -> &'static str {
    match kind {
        "registered" => "Uw traject is begonnen",
        "transition_started" => "De overgang naar hulp na de behandeling is begonnen",
        "treatment_extended" => "De behandeling is verlengd",
        "treatment_ended" => "De behandeling is gestopt",
        "readmitted" => "U bent opnieuw in behandeling",
        "closed" => "Het traject is afgesloten",
        "referral_requested" => "Hulp aangevraagd",
        "referral_acknowledged" => "De aanvraag is ontvangen",
        "referral_assessment_started" => "De organisatie bekijkt wat u nodig hebt",
        "referral_accepted" => "De hulp is toegezegd",
        "referral_rejected" => "De aanvraag is afgewezen",
        "referral_started" => "De hulp is begonnen",
        "referral_completed" => "De hulp is afgerond",
        "referral_failed" => "De hulp is niet doorgegaan",
        "referral_cancelled" => "De aanvraag is gestopt",
        "consent_given" => "Toestemming gegeven",
        "consent_withdrawn" => "Toestemming ingetrokken",
        "participant_joined" => "Iemand doet mee",
        "participant_left" => "Iemand doet niet meer mee",
        "alert_opened" => "Er is een signaal gegeven",
        "alert_acknowledged" => "Het signaal is opgepakt",
        "alert_escalated" => "Het signaal is doorgezet",
        "alert_resolved" => "Het signaal is afgehandeld",
        "offer_created" => "Hulp aangevraagd bij meerdere organisaties",
        "outcome_checked" => "Er is nagevraagd hoe het met u gaat",
        "meeting_planned" => "Een overdrachtsgesprek is gepland",
        _ => "Een stap in uw traject",
    }
}
