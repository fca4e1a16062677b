//! Bringing a trajectory's unresolved alerts in line with the conditions that hold now:
//! open what is new, resolve what cleared, escalate what waited too long. Running it
//! twice at the same instant changes nothing the second time, so a timer fired again
//! after a crash raises no duplicate.

use chrono::{DateTime, Utc};

use crate::continuity::{Alert, AlertStatus, ContinuityPolicy, Resolution, Situation};
use crate::kernel::ids::AlertId;

/// One change to the alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertChange {
    Opened(Alert),
    Escalated(Alert),
    Resolved(Alert),
    /// A hand-resolved alert's condition cleared: it no longer holds back a new alert.
    Lapsed(Alert),
    /// Consent for the client's municipality was given or withdrawn: the municipality
    /// now receives the alert, or no longer does.
    Shared(Alert),
}

impl AlertChange {
    pub fn alert(&self) -> &Alert {
        match self {
            AlertChange::Opened(a)
            | AlertChange::Escalated(a)
            | AlertChange::Resolved(a)
            | AlertChange::Lapsed(a)
            | AlertChange::Shared(a) => a,
        }
    }

    pub const fn kind(&self) -> &'static str {
        match self {
            AlertChange::Opened(_) => "alert_opened",
            AlertChange::Escalated(_) => "alert_escalated",
            AlertChange::Resolved(_) => "alert_resolved",
            AlertChange::Lapsed(_) => "alert_lapsed",
            AlertChange::Shared(_) => "alert_sharing_changed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub changes: Vec<AlertChange>,
    /// When to look again (a time-based condition or an escalation falls due), if ever.
    pub next_check: Option<DateTime<Utc>>,
}

/// Reconciles a situation's `current` alerts (the unresolved ones and those resolved by
/// hand that still hold back a new one) with its conditions at `now`. `cause` names the
/// change that triggered the check (an event kind, or `deadline`).
pub fn reconcile(
    situation: &Situation<'_>,
    current: &[Alert],
    now: DateTime<Utc>,
    policy: &ContinuityPolicy,
    cause: &str,
    mut new_id: impl FnMut() -> AlertId,
) -> Outcome {
    let t = situation.trajectory;
    let conditions = situation.conditions(now, policy);
    let mut changes = Vec::new();
    let mut still_open = Vec::new();
    for alert in current {
        let holds = conditions
            .iter()
            .any(|c| c.rule == alert.rule && c.subject == alert.subject);
        let mut alert = alert.clone();
        if !alert.is_unresolved() {
            if alert.suppressing && !holds {
                alert.suppressing = false;
                changes.push(AlertChange::Lapsed(alert));
            }
            continue;
        }
        if holds {
            let informs = alert.rule.informs_municipality() && situation.resident_consent;
            if alert
                .escalates_at(policy.escalate_after_hours)
                .is_some_and(|at| at <= now)
            {
                alert.informs_municipality = informs;
                alert.escalate(now);
                changes.push(AlertChange::Escalated(alert.clone()));
            } else if alert.informs_municipality != informs {
                alert.informs_municipality = informs;
                alert.version += 1;
                changes.push(AlertChange::Shared(alert.clone()));
            }
            still_open.push(alert);
        } else {
            // Resolving tells only those the alert may still inform: after the client
            // withdrew consent, the municipality hears nothing more, not even this.
            alert.informs_municipality &= situation.resident_consent;
            let cleared = Resolution::Cleared {
                cause: cause.to_owned(),
            };
            if alert.resolve(cleared, now).is_ok() {
                changes.push(AlertChange::Resolved(alert));
            }
        }
    }
    for condition in &conditions {
        let exists = current.iter().any(|a| {
            (a.is_unresolved() || a.suppressing)
                && a.rule == condition.rule
                && a.subject == condition.subject
        });
        if exists {
            continue;
        }
        let alert = Alert {
            id: new_id(),
            rule: condition.rule,
            severity: condition.rule.severity(),
            trajectory_id: t.id,
            subject: condition.subject,
            treating_provider: t.treating_provider,
            municipality: t.municipality,
            status: AlertStatus::Open,
            facts: condition
                .facts
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            opened_at: now,
            acknowledged_at: None,
            acknowledged_by: None,
            escalated_at: None,
            resolved_at: None,
            resolution: None,
            suppressing: false,
            informs_municipality: condition.rule.informs_municipality()
                && situation.resident_consent,
            version: 1,
        };
        still_open.push(alert.clone());
        changes.push(AlertChange::Opened(alert));
    }
    let escalation = still_open
        .iter()
        .filter_map(|a| a.escalates_at(policy.escalate_after_hours))
        .filter(|at| *at > now)
        .min();
    let next_check = [situation.next_deadline(now, policy), escalation]
        .into_iter()
        .flatten()
        .min();
    Outcome {
        changes,
        next_check,
    }
}
