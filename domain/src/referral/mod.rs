//! Follow-up referrals (vervolgverwijzingen): a treating provider asks one organisation for
//! one kind of support, and the loop closes when the recipient answers and reports.

use crate::kernel::value::FieldError;
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::calendar;
use crate::consent::Consent;
use crate::kernel::actor::Actor;
use crate::kernel::ids::{ReferralId, ServiceId, TrajectoryId};
use crate::kernel::org_id::{AgbCode, OrgId};
use crate::kernel::text::BoundedText;
use crate::referral::error::ReferralError;
use crate::trajectory::Trajectory;
use crate::trajectory::phase::Phase;

pub mod disclosure;
pub mod error;
mod kind;
pub mod life_domain;
pub mod table;

pub use disclosure::Disclosure;
pub use kind::{Party, ReferralAction, ReferralKind, ReferralStatus, RejectionReason};
pub use life_domain::LifeDomain;

/// How a recipient can reach the client. Shown to the recipient only as consent and the
/// referral's status allow ([`Disclosure`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClientContact {
    pub name: Option<BoundedText>,
    pub phone: Option<BoundedText>,
    pub email: Option<BoundedText>,
    pub address: Option<BoundedText>,
}

/// The referring professional, for the recipient to call back.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReferrerContact {
    pub name: Option<BoundedText>,
    pub phone: Option<BoundedText>,
    pub email: Option<BoundedText>,
}

/// The statutory Wmo clocks (DOMAIN.md), configurable: the municipality completes its
/// assessment within `assessment_days` of the melding, and decides within `decision_days`
/// of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WmoClocks {
    pub assessment_days: u32,
    pub decision_days: u32,
}

impl Default for WmoClocks {
    fn default() -> Self {
        Self {
            assessment_days: 42,
            decision_days: 14,
        }
    }
}

/// What every new referral is held to besides its request: the Wmo clocks, and how long
/// a closed trajectory still takes a follow-up referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralTerms {
    pub clocks: WmoClocks,
    /// Days after closure in which the treating provider may still refer the client (not
    /// after death). Without it, `treatment_ended_without_followup` on a closed trajectory
    /// could only be resolved by hand: now an accepted late referral resolves it, as on
    /// an open trajectory. A policy choice (default 90 days, the re-admission window).
    pub followup_after_closure_days: u32,
}

impl Default for ReferralTerms {
    fn default() -> Self {
        Self {
            clocks: WmoClocks::default(),
            followup_after_closure_days: 90,
        }
    }
}

/// Whether `trajectory` takes a new referral on `today`: while open, and for a while after
/// closure (not after the client's death).
pub fn takes_referrals(trajectory: &Trajectory, today: NaiveDate, terms: ReferralTerms) -> bool {
    if trajectory.phase != Phase::Closed {
        return true;
    }
    let until = trajectory
        .phase_since
        .checked_add_days(Days::new(terms.followup_after_closure_days.into()));
    trajectory.end_reason != Some(crate::trajectory::reason::EndReason::Deceased)
        && until.is_some_and(|until| today <= until)
}

/// What a provider supplies to refer a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRequest {
    pub kind: ReferralKind,
    pub recipient: OrgId,
    /// What help is asked, in words: the exception, next to `life_domains`.
    pub needs: Option<BoundedText>,
    /// What help is asked, as codes. At least one of the two.
    pub life_domains: Vec<LifeDomain>,
    pub requested_start_on: Option<NaiveDate>,
    pub client: ClientContact,
    pub referrer: ReferrerContact,
    /// The catalog service asked for, when the referrer chose one: it counts toward that
    /// service's measured waiting times. Its organisation must be the recipient.
    pub service: Option<ServiceId>,
}

/// A party's action on a referral, with the fields actions may need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralCommand {
    pub action: ReferralAction,
    /// Required to fail, and to reject with code `other`; optional otherwise.
    pub reason: Option<BoundedText>,
    /// Required to reject: why, as a code.
    pub reason_code: Option<RejectionReason>,
    /// Required to accept.
    pub planned_start_on: Option<NaiveDate>,
    /// Optional with assess: the date the Wmo application (aanvraag) was received.
    pub application_on: Option<NaiveDate>,
    /// The date the action took effect; today unless back-dated.
    pub effective_on: NaiveDate,
}

/// What happened to a referral.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReferralChange {
    Requested {
        referral_kind: ReferralKind,
        recipient: OrgId,
    },
    Acknowledged,
    AssessmentStarted {
        application_on: Option<NaiveDate>,
    },
    Accepted {
        planned_start_on: NaiveDate,
    },
    Rejected {
        /// Absent in rejections recorded before reasons were coded: `other`.
        #[serde(default)]
        code: RejectionReason,
        reason: Option<BoundedText>,
    },
    Started {
        started_on: NaiveDate,
    },
    Completed {
        ended_on: NaiveDate,
    },
    Failed {
        reason: BoundedText,
        ended_on: NaiveDate,
    },
    Cancelled {
        reason: Option<BoundedText>,
    },
}

impl ReferralChange {
    pub const fn kind(&self) -> &'static str {
        match self {
            ReferralChange::Requested { .. } => "referral_requested",
            ReferralChange::Acknowledged => "referral_acknowledged",
            ReferralChange::AssessmentStarted { .. } => "referral_assessment_started",
            ReferralChange::Accepted { .. } => "referral_accepted",
            ReferralChange::Rejected { .. } => "referral_rejected",
            ReferralChange::Started { .. } => "referral_started",
            ReferralChange::Completed { .. } => "referral_completed",
            ReferralChange::Failed { .. } => "referral_failed",
            ReferralChange::Cancelled { .. } => "referral_cancelled",
        }
    }

    pub const KINDS: &'static [&'static str] = &[
        "referral_requested",
        "referral_acknowledged",
        "referral_assessment_started",
        "referral_accepted",
        "referral_rejected",
        "referral_started",
        "referral_completed",
        "referral_failed",
        "referral_cancelled",
    ];
}

/// One accepted change of a referral; `sequence` is the referral's version after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralEvent {
    pub referral_id: ReferralId,
    pub trajectory_id: TrajectoryId,
    pub sequence: u32,
    pub from: Option<ReferralStatus>,
    pub to: ReferralStatus,
    pub change: ReferralChange,
    pub actor: Actor,
    pub recorded_at: DateTime<Utc>,
}

/// A referral's current state. Requester, recipient, kind and trajectory never change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: ReferralId,
    pub trajectory_id: TrajectoryId,
    pub requester: AgbCode,
    pub recipient: OrgId,
    pub kind: ReferralKind,
    pub status: ReferralStatus,
    pub needs: Option<BoundedText>,
    pub life_domains: Vec<LifeDomain>,
    pub requested_start_on: Option<NaiveDate>,
    pub client: ClientContact,
    pub referrer: ReferrerContact,
    pub requested_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub application_on: Option<NaiveDate>,
    pub decided_at: Option<DateTime<Utc>>,
    pub planned_start_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    /// Why it was rejected, failed or cancelled, in words.
    pub status_reason: Option<BoundedText>,
    /// Why it was rejected, as a code.
    pub rejection: Option<RejectionReason>,
    /// The offer it is one candidate of, when it was sent to several at once.
    pub offer: Option<crate::kernel::ids::OfferId>,
    /// For referrals to a municipality: when the Wmo assessment is due.
    pub assessment_due_on: Option<NaiveDate>,
    /// For referrals to a municipality with a recorded application: when the decision is due.
    pub decision_due_on: Option<NaiveDate>,
    pub version: u32,
    pub updated_at: DateTime<Utc>,
    /// The catalog service it was sent to, if the referrer named one.
    pub service: Option<ServiceId>,
}

/// The reason a referral carries when it was cancelled because consent was withdrawn.
pub const CONSENT_WITHDRAWN_REASON: &str = "consent_withdrawn";

/// Whether sharing the client's details with `recipient` needs the client's consent: always,
/// except for aftercare by the treating provider itself.
pub fn needs_consent(requester: AgbCode, recipient: OrgId) -> bool {
    recipient != OrgId::Agb(requester)
}

impl Referral {
    /// Creates a referral for `trajectory` from its treating provider. `consent` is the
    /// client's current consent for the recipient, if any.
    pub fn request(
        id: ReferralId,
        trajectory: &Trajectory,
        request: ReferralRequest,
        consent: Option<&Consent>,
        actor: Actor,
        now: DateTime<Utc>,
        terms: ReferralTerms,
    ) -> Result<(Referral, ReferralEvent), ReferralError> {
        let today = now.date_naive();
        let clocks = terms.clocks;
        if !takes_referrals(trajectory, today, terms) {
            return Err(ReferralError::TrajectoryClosed);
        }
        let requester = trajectory.treating_provider;
        if needs_consent(requester, request.recipient)
            && !consent.is_some_and(|c| {
                c.trajectory_id == trajectory.id && c.covers(request.recipient, today)
            })
        {
            return Err(ReferralError::ConsentRequired {
                organisation: request.recipient,
            });
        }
        if let Some(start) = request.requested_start_on
            && start < trajectory.started_on
        {
            return Err(FieldError::DatesOutOfOrder {
                earlier: "trajectory started_on",
                earlier_date: trajectory.started_on,
                later: "requested_start_on",
                later_date: start,
            }
            .into());
        }
        if request.needs.is_none() && request.life_domains.is_empty() {
            return Err(FieldError::FieldRule {
                field: "life_domains",
                rule: "say what help is asked: one or more life_domains, or needs in words",
            }
            .into());
        }
        let referral = Referral {
            id,
            trajectory_id: trajectory.id,
            requester,
            recipient: request.recipient,
            kind: request.kind,
            status: ReferralStatus::Requested,
            needs: request.needs,
            life_domains: request.life_domains,
            requested_start_on: request.requested_start_on,
            client: request.client,
            referrer: request.referrer,
            requested_at: now,
            received_at: None,
            application_on: None,
            decided_at: None,
            planned_start_on: None,
            started_on: None,
            ended_on: None,
            status_reason: None,
            rejection: None,
            offer: None,
            // The melding is received when it is in the municipality's inbox, which is
            // now: the six weeks run from here, however late it is acknowledged.
            assessment_due_on: matches!(request.recipient, OrgId::Gemeente(_))
                .then(|| today.checked_add_days(Days::new(clocks.assessment_days.into())))
                .flatten()
                .map(calendar::term_end),
            decision_due_on: None,
            service: request.service,
            version: 1,
            updated_at: now,
        };
        let event = ReferralEvent {
            referral_id: id,
            trajectory_id: trajectory.id,
            sequence: 1,
            from: None,
            to: ReferralStatus::Requested,
            change: ReferralChange::Requested {
                referral_kind: referral.kind,
                recipient: referral.recipient,
            },
            actor,
            recorded_at: now,
        };
        Ok((referral, event))
    }

    /// Which party `org` is of this referral, if any. For aftercare by the treating
    /// provider both are the same organisation; it then acts as either.
    pub fn party_of(&self, org: OrgId, action: ReferralAction) -> Option<Party> {
        let wanted = table::rule(action).party;
        let is = |party: Party| match party {
            Party::Requester => org == OrgId::Agb(self.requester),
            Party::Recipient => org == self.recipient,
        };
        if is(wanted) {
            Some(wanted)
        } else if is(Party::Requester) {
            Some(Party::Requester)
        } else if is(Party::Recipient) {
            Some(Party::Recipient)
        } else {
            None
        }
    }

    /// Decides whether `party` may take `command` now; returns the event it produces.
    pub fn decide(
        &self,
        command: &ReferralCommand,
        party: Party,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<ReferralEvent, ReferralError> {
        let rule = table::rule(command.action);
        if rule.party != party {
            return Err(ReferralError::NotYourAction {
                action: command.action,
            });
        }
        if !rule.from.contains(&self.status) {
            return Err(ReferralError::IllegalReferralAction {
                action: command.action,
                status: self.status,
                allowed: table::allowed_actions(self.status, party),
            });
        }
        let today = now.date_naive();
        let effective_on = command.effective_on;
        if effective_on > today {
            return Err(FieldError::DateInFuture {
                field: "effective_on",
                date: effective_on,
            }
            .into());
        }
        let requested_on = self.requested_at.date_naive();
        if effective_on < requested_on {
            return Err(FieldError::DatesOutOfOrder {
                earlier: "requested_at",
                earlier_date: requested_on,
                later: "effective_on",
                later_date: effective_on,
            }
            .into());
        }
        let reason = || {
            command.reason.clone().ok_or(ReferralError::FieldRequired {
                field: "reason",
                action: command.action,
            })
        };
        let change = match command.action {
            ReferralAction::Acknowledge => ReferralChange::Acknowledged,
            ReferralAction::Assess => ReferralChange::AssessmentStarted {
                application_on: command.application_on,
            },
            ReferralAction::Accept => {
                let planned = command
                    .planned_start_on
                    .ok_or(ReferralError::FieldRequired {
                        field: "planned_start_on",
                        action: command.action,
                    })?;
                if planned < effective_on {
                    return Err(FieldError::DatesOutOfOrder {
                        earlier: "effective_on",
                        earlier_date: effective_on,
                        later: "planned_start_on",
                        later_date: planned,
                    }
                    .into());
                }
                ReferralChange::Accepted {
                    planned_start_on: planned,
                }
            }
            ReferralAction::Reject => {
                let code = command.reason_code.ok_or(ReferralError::FieldRequired {
                    field: "reason_code",
                    action: command.action,
                })?;
                ReferralChange::Rejected {
                    code,
                    reason: match code {
                        RejectionReason::Other => Some(reason()?),
                        _ => command.reason.clone(),
                    },
                }
            }
            ReferralAction::Start => ReferralChange::Started {
                started_on: effective_on,
            },
            ReferralAction::Complete => ReferralChange::Completed {
                ended_on: effective_on,
            },
            ReferralAction::Fail => ReferralChange::Failed {
                reason: reason()?,
                ended_on: effective_on,
            },
            ReferralAction::Cancel => ReferralChange::Cancelled {
                reason: command.reason.clone(),
            },
        };
        Ok(ReferralEvent {
            referral_id: self.id,
            trajectory_id: self.trajectory_id,
            sequence: self.version + 1,
            from: Some(self.status),
            to: rule.to,
            change,
            actor,
            recorded_at: now,
        })
    }

    /// The cancellation that follows the client withdrawing consent for the recipient: the
    /// recipient may no longer see the client, so it can no longer act on the referral,
    /// whatever its open status (work already started included). `None` when the
    /// referral is closed already. Not a party's action, so not in the action table.
    pub fn cancel_for_withdrawn_consent(
        &self,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Option<ReferralEvent> {
        self.cancel_by_system(CONSENT_WITHDRAWN_REASON, actor, now)
    }

    /// A cancellation no party asked for (consent withdrawn, another candidate of the
    /// offer selected, the offer expired), with `reason` as its code. `None` when the
    /// referral is closed already.
    pub fn cancel_by_system(
        &self,
        reason: &str,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Option<ReferralEvent> {
        if !self.status.is_open() {
            return None;
        }
        let reason = BoundedText::parse("reason", reason, 100).ok();
        Some(ReferralEvent {
            referral_id: self.id,
            trajectory_id: self.trajectory_id,
            sequence: self.version + 1,
            from: Some(self.status),
            to: ReferralStatus::Cancelled,
            change: ReferralChange::Cancelled { reason },
            actor,
            recorded_at: now,
        })
    }

    /// The next date something is due on this referral: the Wmo assessment or decision
    /// while a municipality is at work, the planned start once accepted.
    pub fn next_due_on(&self) -> Option<NaiveDate> {
        match self.status {
            ReferralStatus::Requested => self.assessment_due_on,
            ReferralStatus::Received | ReferralStatus::UnderAssessment => {
                [self.assessment_due_on, self.decision_due_on]
                    .into_iter()
                    .flatten()
                    .min()
            }
            ReferralStatus::Accepted => self.planned_start_on,
            ReferralStatus::Rejected
            | ReferralStatus::InProgress
            | ReferralStatus::Completed
            | ReferralStatus::Failed
            | ReferralStatus::Cancelled => None,
        }
    }

    /// Applies an event [`Referral::decide`] produced; `clocks` set the Wmo due dates.
    pub fn apply(&mut self, event: &ReferralEvent, clocks: WmoClocks) {
        let on = event.recorded_at.date_naive();
        let is_municipality = matches!(self.recipient, OrgId::Gemeente(_));
        match &event.change {
            ReferralChange::Requested { .. } => {}
            ReferralChange::Acknowledged => {
                self.received_at = Some(event.recorded_at);
            }
            ReferralChange::AssessmentStarted { application_on } => {
                self.application_on = *application_on;
                if is_municipality {
                    self.decision_due_on = application_on
                        .and_then(|d| d.checked_add_days(Days::new(clocks.decision_days.into())))
                        .map(calendar::term_end);
                }
            }
            ReferralChange::Accepted { planned_start_on } => {
                self.decided_at = Some(event.recorded_at);
                self.planned_start_on = Some(*planned_start_on);
            }
            ReferralChange::Rejected { code, reason } => {
                self.decided_at = Some(event.recorded_at);
                self.rejection = Some(*code);
                self.status_reason = reason.clone();
            }
            ReferralChange::Started { started_on } => self.started_on = Some(*started_on),
            ReferralChange::Completed { ended_on } => self.ended_on = Some(*ended_on),
            ReferralChange::Failed { reason, ended_on } => {
                self.ended_on = Some(*ended_on);
                self.status_reason = Some(reason.clone());
            }
            ReferralChange::Cancelled { reason } => {
                self.ended_on = Some(on);
                self.status_reason = reason.clone();
            }
        }
        self.status = event.to;
        self.version = event.sequence;
        self.updated_at = event.recorded_at;
    }
}

#[cfg(test)]
mod tests;
