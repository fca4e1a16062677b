//! What erasure (AVG art. 17, and the retention job) removes from a trajectory, and what
//! it keeps, field by field, with the reason. The persistence layer's erasure follows this
//! table; a test searches a full database dump for a canary value to hold it to it.

/// What an erased text field reads afterwards.
pub const ERASED: &str = "[verwijderd]";

/// A field erasure keeps, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kept {
    pub field: &'static str,
    pub why: &'static str,
}

/// Fields removed: every personal detail of the trajectory and its referrals.
pub const REMOVED: &[&str] = &[
    "trajectories.client_ref (replaced by a random pseudonym)",
    "trajectories.bsn_matcher, trajectories.bsn_sealed",
    "trajectories.no_follow_up_reason",
    "referrals.needs, referrals.status_reason",
    "referrals.client_name, client_phone, client_email, client_address",
    "referrals.referrer_name, referrer_phone, referrer_email",
    "participants.name, phone, email, relation (naasten and professionals)",
    "consents.withdrawal_reason",
    "handoff_meetings.participants, reason",
    "alerts.resolution_text",
    "trajectory_steps.detail",
    "trajectory_events.data, referral_events.data (free text and contact details in the history)",
    "external_identifiers of the trajectory and its referrals",
    "person_links and person_invitations of the trajectory, and the sign-in lock-out counter of its BSN",
    "webhook messages and idempotency records that mention the trajectory or its referrals",
];

/// Fields kept, each with its legal or practical reason.
pub const KEPT_ON_ERASURE: &[Kept] = &[
    Kept {
        field: "access_log (all fields, including client_ref and the staff member's sub)",
        why: "NEN 7513 / Wabvpz art. 15e: the record of who accessed the data must outlive the data; it is append-only and chained, and AVG art. 17(3)(b) exempts a legal obligation.",
    },
    Kept {
        field: "trajectories: id, treating provider, municipality, phase, dates, end reason code",
        why: "Without personal details these are facts about care, not about a person; the figures and the continuity of other organisations' records (their referrals, alerts) depend on them.",
    },
    Kept {
        field: "referrals: id, parties, kind, life domains, status, dates, reason codes",
        why: "The closed loop of the recipient organisation and the measured waiting times are built from them; they name no one once the contact details are gone.",
    },
    Kept {
        field: "figure contributions and rollups",
        why: "Aggregates without client ids, withheld below five clients: the figures stay correct.",
    },
];
