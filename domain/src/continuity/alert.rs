//! An alert's lifecycle: open → acknowledged → resolved, and one escalation.

use chrono::{DateTime, Utc};

use crate::continuity::error::AlertError;
use crate::continuity::status::AlertStatus;
use crate::continuity::{Rule, Severity, Subject};
use crate::kernel::actor::Actor;
use crate::kernel::ids::{AlertId, TrajectoryId};
use crate::kernel::org_id::{AgbCode, GemeenteCode, OrgId};
use crate::kernel::text::BoundedText;

/// How an alert was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Its condition cleared; `cause` names the change that cleared it.
    Cleared { cause: String },
    /// Someone resolved it by hand.
    ByHand { actor: Actor, reason: BoundedText },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: AlertId,
    pub rule: Rule,
    pub severity: Severity,
    pub trajectory_id: TrajectoryId,
    pub subject: Subject,
    pub treating_provider: AgbCode,
    pub municipality: GemeenteCode,
    pub status: AlertStatus,
    pub facts: Vec<(String, String)>,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<Actor>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<Resolution>,
    /// Resolved by hand while its condition held: no new alert for the same rule and
    /// subject opens until the condition has cleared once.
    pub suppressing: bool,
    /// The client's municipality of residence receives it too (a gap alert, with the
    /// client's consent for that municipality), so its wijkteam can reach out.
    pub informs_municipality: bool,
    pub version: u32,
}

impl Alert {
    /// The organisations the alert concerns: the treating provider, the recipient when it
    /// is about a referral, and the client's municipality when it is informed.
    pub fn concerns(&self) -> Vec<OrgId> {
        let provider = OrgId::Agb(self.treating_provider);
        let mut orgs = match self.subject {
            Subject::Referral { recipient, .. } if recipient != provider => {
                vec![provider, recipient]
            }
            _ => vec![provider],
        };
        let municipality = OrgId::Gemeente(self.municipality);
        if self.informs_municipality && !orgs.contains(&municipality) {
            orgs.push(municipality);
        }
        orgs
    }

    pub fn is_unresolved(&self) -> bool {
        self.status != AlertStatus::Resolved
    }

    pub fn acknowledge(&mut self, actor: Actor, now: DateTime<Utc>) -> Result<(), AlertError> {
        if self.status != AlertStatus::Open {
            return Err(AlertError::AlertAlready(self.status));
        }
        self.status = AlertStatus::Acknowledged;
        self.acknowledged_at = Some(now);
        self.acknowledged_by = Some(actor);
        self.version += 1;
        Ok(())
    }

    pub fn resolve(
        &mut self,
        resolution: Resolution,
        now: DateTime<Utc>,
    ) -> Result<(), AlertError> {
        if self.status == AlertStatus::Resolved {
            return Err(AlertError::AlertAlready(self.status));
        }
        self.status = AlertStatus::Resolved;
        self.resolved_at = Some(now);
        self.suppressing = matches!(resolution, Resolution::ByHand { .. });
        self.resolution = Some(resolution);
        self.version += 1;
        Ok(())
    }

    /// When this alert escalates if nobody acknowledges it: only open critical alerts, once.
    pub fn escalates_at(&self, after_hours: u32) -> Option<DateTime<Utc>> {
        (self.status == AlertStatus::Open
            && self.severity == Severity::Critical
            && self.escalated_at.is_none())
        .then(|| self.opened_at + chrono::Duration::hours(after_hours.into()))
    }

    pub fn escalate(&mut self, now: DateTime<Utc>) {
        self.severity = Severity::Escalated;
        self.escalated_at = Some(now);
        self.version += 1;
    }
}
