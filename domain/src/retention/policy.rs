//! The retention terms: per kind of data, its setting, its default and why.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A kind of data with its own term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataKind {
    /// The personal details of a closed trajectory and its referrals: client reference,
    /// BSN hash and ciphertext, names and contact details, naasten, free text, the
    /// identifiers other systems gave them, the person's links.
    ClosedTrajectory,
    /// Webhook messages and their delivery attempts (payloads hold minimised views).
    NotificationPayloads,
    /// Stored first answers of `Idempotency-Key` writes (they hold whole responses).
    IdempotencyRecords,
    /// The NEN 7513 access log.
    AccessLog,
}

/// A kind's row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub kind: DataKind,
    /// The environment variable that sets it.
    pub setting: &'static str,
    pub default_days: u32,
    /// What happens when the term has passed.
    pub then: &'static str,
    pub why: &'static str,
}

/// Every kind of data, exhaustively.
pub const RETENTION: [Term; 4] = [
    Term {
        kind: DataKind::ClosedTrajectory,
        setting: "HERSTELBRUG_RETENTION_CLOSED_TRAJECTORY_DAYS",
        default_days: 730,
        then: "personal details removed or pseudonymised; phases, dates, codes and figures stay",
        why: "Herstelbrug coordinates the handoff; the medical record (WGBO, 20 years) stays with the provider. Two years after closing covers a relapse and re-referral (the readmission link) and the yearly figures of the year after, then the purpose has gone (AVG art. 5(1)(e)).",
    },
    Term {
        kind: DataKind::NotificationPayloads,
        setting: "HERSTELBRUG_EVENT_RETENTION_DAYS",
        default_days: 30,
        then: "delivered and dead messages deleted with their attempts (never a pending one)",
        why: "A receiver catches up by event number within days; a month covers a long outage. The state itself stays readable through the API.",
    },
    Term {
        kind: DataKind::IdempotencyRecords,
        setting: "HERSTELBRUG_RETENTION_IDEMPOTENCY_DAYS",
        default_days: 7,
        then: "deleted: a retry after the term is a new request",
        why: "Retries come within minutes or, after an outage, days; a week covers a long weekend plus margin, and the stored answers hold personal data.",
    },
    Term {
        kind: DataKind::AccessLog,
        setting: "(not removable by the server)",
        default_days: 5 * 365,
        then: "kept: the server's own database role may only append to it",
        why: "NEN 7513 and the Wabvpz ask that access to health data can be accounted for; the log is the evidence for a client's complaint and a supervisor's inquiry, so it is kept at least five years and removed only by the database owner, with the checkpoints that cover it exported first.",
    },
];

/// The terms in force, from the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub closed_trajectory_days: u32,
    pub notification_days: u32,
    pub idempotency_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            closed_trajectory_days: RETENTION[0].default_days,
            notification_days: RETENTION[1].default_days,
            idempotency_days: RETENTION[2].default_days,
        }
    }
}

impl RetentionPolicy {
    /// Trajectories closed before this day are past their term.
    pub fn closed_before(&self, today: NaiveDate) -> NaiveDate {
        today - Duration::days(i64::from(self.closed_trajectory_days))
    }

    /// Idempotency records stored before this instant are past their term.
    pub fn idempotency_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.idempotency_days))
    }

    /// Whether a trajectory closed on `closed_on` is past its term today; a legal hold
    /// keeps it whatever the date.
    pub fn due(&self, closed_on: NaiveDate, held: bool, today: NaiveDate) -> bool {
        !held && closed_on < self.closed_before(today)
    }
}
