//! The trajectory aggregate: registration, deciding on a transition, applying its event.

use std::str::FromStr;

use crate::kernel::actor::Actor;
use crate::kernel::client_ref::ClientRef;
pub use crate::kernel::ids::TrajectoryId;
use crate::kernel::org_id::{AgbCode, GemeenteCode};
use crate::kernel::text::BoundedText;
use crate::kernel::value::UnknownValue;
use crate::trajectory::error::TrajectoryError;
use crate::trajectory::event::{Change, TrajectoryEvent};
use crate::trajectory::phase::Phase;
use crate::trajectory::reason::{AfterTreatment, ClosureOutcome, EndReason, ReadmissionReason};
use crate::trajectory::transition::{Move, TransitionCommand, allowed_targets, move_between};
use chrono::{DateTime, NaiveDate, Utc};

pub mod error;
pub mod event;
pub mod phase;
pub mod reason;
pub mod transition;

use crate::kernel::value::FieldError;

/// What a provider supplies to register a trajectory. The treating provider is not part
/// of it: it is the organisation of the authenticated actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub client_ref: ClientRef,
    pub municipality: GemeenteCode,
    pub started_on: NaiveDate,
    pub planned_end_on: Option<NaiveDate>,
    /// The provider's closed trajectory of the same client that this one follows.
    pub previous: Option<TrajectoryId>,
}

/// The current state of a care trajectory. It only changes through [`Trajectory::apply`]
/// of an event that [`Trajectory::decide`] produced; persistence restores it from storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trajectory {
    pub id: TrajectoryId,
    pub client_ref: ClientRef,
    pub treating_provider: AgbCode,
    pub municipality: GemeenteCode,
    pub phase: Phase,
    pub started_on: NaiveDate,
    /// The effective date of the last phase change (the registration's start date at first).
    pub phase_since: NaiveDate,
    pub planned_end_on: Option<NaiveDate>,
    pub treatment_ended_on: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub closure_outcome: Option<ClosureOutcome>,
    /// Set when treatment ended with the clinician's statement that no follow-up is needed.
    pub no_follow_up_reason: Option<BoundedText>,
    /// The closed trajectory of the same client this one re-enters after (a relapse).
    pub previous: Option<TrajectoryId>,
    /// Started within the re-admission window of that closure.
    pub readmission: bool,
    /// The number of events in the trajectory's history.
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Trajectory {
    /// Registers a new trajectory in `treatment`; returns it with its first event.
    pub fn register(
        id: TrajectoryId,
        registration: Registration,
        provider: AgbCode,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<(Trajectory, TrajectoryEvent), TrajectoryError> {
        let today = now.date_naive();
        not_in_future("started_on", registration.started_on, today)?;
        if let Some(planned) = registration.planned_end_on {
            in_order(
                "started_on",
                registration.started_on,
                "planned_end_on",
                planned,
            )?;
        }
        let event = TrajectoryEvent {
            trajectory_id: id,
            sequence: 1,
            from: None,
            to: Phase::Treatment,
            change: Change::Registered {
                client_ref: registration.client_ref.clone(),
                municipality: registration.municipality,
                started_on: registration.started_on,
                planned_end_on: registration.planned_end_on,
            },
            effective_on: registration.started_on,
            actor,
            recorded_at: now,
        };
        let trajectory = Trajectory {
            id,
            client_ref: registration.client_ref,
            treating_provider: provider,
            municipality: registration.municipality,
            phase: Phase::Treatment,
            started_on: registration.started_on,
            phase_since: registration.started_on,
            planned_end_on: registration.planned_end_on,
            treatment_ended_on: None,
            end_reason: None,
            closure_outcome: None,
            no_follow_up_reason: None,
            previous: registration.previous,
            readmission: false,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        Ok((trajectory, event))
    }

    /// Decides whether `command` is allowed now; returns the event it produces. Pure: the
    /// trajectory does not change until the caller applies the event.
    pub fn decide(
        &self,
        command: &TransitionCommand,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<TrajectoryEvent, TrajectoryError> {
        let (from, to) = (self.phase, command.to);
        let Some(kind) = move_between(from, to) else {
            return Err(TrajectoryError::IllegalTransition {
                from,
                to,
                allowed: allowed_targets(from),
            });
        };
        let effective_on = command.effective_on;
        not_in_future("effective_on", effective_on, now.date_naive())?;
        in_order(
            "phase_since",
            self.phase_since,
            "effective_on",
            effective_on,
        )?;
        let planned_after = |planned: NaiveDate| {
            in_order("effective_on", effective_on, "planned_end_on", planned).map(|()| planned)
        };
        let reason = command.reason.as_deref();
        if command.no_follow_up_reason.is_some() && kind != Move::EndTreatment {
            return Err(TrajectoryError::NoFollowUpNotApplicable);
        }
        let change = match kind {
            Move::BeginTransition => {
                no_reason(reason, from, to)?;
                let planned = command
                    .planned_end_on
                    .ok_or(TrajectoryError::PlannedEndRequired)?;
                Change::TransitionStarted {
                    planned_end_on: planned_after(planned)?,
                }
            }
            Move::ExtendTreatment => {
                no_reason(reason, from, to)?;
                Change::TreatmentExtended {
                    planned_end_on: command.planned_end_on.map(planned_after).transpose()?,
                }
            }
            Move::EndTreatment => {
                no_planned_end(command)?;
                let reason: EndReason = required_reason(reason, from, to, EndReason::NAMES)?;
                let after = match to {
                    Phase::Closed => AfterTreatment::Closed,
                    _ if reason == EndReason::Deceased => {
                        return Err(TrajectoryError::DeceasedMustClose);
                    }
                    _ => AfterTreatment::SocialSupport,
                };
                Change::TreatmentEnded {
                    to: after,
                    reason,
                    no_follow_up_reason: command.no_follow_up_reason.clone(),
                }
            }
            Move::Readmit => Change::Readmitted {
                reason: required_reason::<ReadmissionReason>(
                    reason,
                    from,
                    to,
                    ReadmissionReason::NAMES,
                )?,
                planned_end_on: command.planned_end_on.map(planned_after).transpose()?,
            },
            Move::Close => {
                no_planned_end(command)?;
                Change::Closed {
                    outcome: required_reason(reason, from, to, ClosureOutcome::NAMES)?,
                }
            }
        };
        Ok(TrajectoryEvent {
            trajectory_id: self.id,
            sequence: self.version + 1,
            from: Some(from),
            to,
            change,
            effective_on,
            actor,
            recorded_at: now,
        })
    }

    /// Applies an event that [`Trajectory::decide`] produced for this trajectory.
    pub fn apply(&mut self, event: &TrajectoryEvent) {
        debug_assert_eq!(event.sequence, self.version + 1);
        match &event.change {
            Change::Registered { .. } => {}
            Change::TransitionStarted { planned_end_on } => {
                self.planned_end_on = Some(*planned_end_on);
            }
            Change::TreatmentExtended { planned_end_on } => {
                self.planned_end_on = *planned_end_on;
            }
            Change::TreatmentEnded {
                reason,
                no_follow_up_reason,
                ..
            } => {
                self.treatment_ended_on = Some(event.effective_on);
                self.end_reason = Some(*reason);
                self.no_follow_up_reason = no_follow_up_reason.clone();
            }
            Change::Readmitted { planned_end_on, .. } => {
                self.planned_end_on = *planned_end_on;
                self.treatment_ended_on = None;
                self.end_reason = None;
                self.no_follow_up_reason = None;
            }
            Change::Closed { outcome } => {
                self.closure_outcome = Some(*outcome);
            }
        }
        self.phase = event.to;
        self.phase_since = event.effective_on;
        self.version = event.sequence;
        self.updated_at = event.recorded_at;
    }
}

fn not_in_future(
    field: &'static str,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), TrajectoryError> {
    if date > today {
        return Err(FieldError::DateInFuture { field, date }.into());
    }
    Ok(())
}

fn in_order(
    earlier: &'static str,
    earlier_date: NaiveDate,
    later: &'static str,
    later_date: NaiveDate,
) -> Result<(), TrajectoryError> {
    if later_date < earlier_date {
        return Err(FieldError::DatesOutOfOrder {
            earlier,
            earlier_date,
            later,
            later_date,
        }
        .into());
    }
    Ok(())
}

fn no_reason(reason: Option<&str>, from: Phase, to: Phase) -> Result<(), TrajectoryError> {
    match reason {
        None => Ok(()),
        Some(_) => Err(TrajectoryError::ReasonNotApplicable { from, to }),
    }
}

fn no_planned_end(command: &TransitionCommand) -> Result<(), TrajectoryError> {
    match command.planned_end_on {
        None => Ok(()),
        Some(_) => Err(TrajectoryError::PlannedEndNotApplicable),
    }
}

fn required_reason<R: FromStr<Err = UnknownValue>>(
    reason: Option<&str>,
    from: Phase,
    to: Phase,
    expected: &'static [&'static str],
) -> Result<R, TrajectoryError> {
    let text = reason.ok_or(TrajectoryError::ReasonRequired { from, to, expected })?;
    Ok(text.parse()?)
}

#[cfg(test)]
mod tests;
