//! Unit and property tests of the trajectory aggregate.

use crate::kernel::value::FieldError;
use chrono::Days;
use proptest::prelude::*;

use super::*;
use crate::kernel::org_id::OrgId;
use crate::test_support::{actor as support_actor, at, date, provider};

fn now() -> DateTime<Utc> {
    at(2026, 11, 25)
}

fn actor() -> Actor {
    support_actor(OrgId::Agb(provider()))
}

fn registered() -> Trajectory {
    let registration = Registration {
        client_ref: "client-1".parse().expect("valid ref"),
        municipality: GemeenteCode::parse("0268").expect("valid code"),
        started_on: date(2026, 1, 5),
        planned_end_on: None,
        previous: None,
    };
    let (trajectory, event) = Trajectory::register(
        TrajectoryId::new_at(now()),
        registration,
        provider(),
        actor(),
        now(),
    )
    .expect("registers");
    assert_eq!(event.sequence, 1);
    trajectory
}

fn cmd(to: Phase, reason: Option<&str>, planned: Option<NaiveDate>) -> TransitionCommand {
    TransitionCommand {
        to,
        reason: reason.map(str::to_owned),
        effective_on: date(2026, 6, 1),
        planned_end_on: planned,
        no_follow_up_reason: None,
    }
}

fn step(trajectory: &mut Trajectory, command: &TransitionCommand) -> TrajectoryEvent {
    let event = trajectory.decide(command, actor(), now()).expect("allowed");
    trajectory.apply(&event);
    event
}

#[test]
fn registration_starts_in_treatment_at_version_one() {
    let t = registered();
    assert_eq!(t.phase, Phase::Treatment);
    assert_eq!(t.version, 1);
}

#[test]
fn registration_refuses_a_planned_end_before_the_start() {
    let registration = Registration {
        client_ref: "c".parse().expect("valid ref"),
        municipality: GemeenteCode::parse("0363").expect("valid code"),
        started_on: date(2026, 3, 1),
        planned_end_on: Some(date(2026, 2, 1)),
        previous: None,
    };
    let err = Trajectory::register(
        TrajectoryId::new_at(now()),
        registration,
        provider(),
        actor(),
        now(),
    )
    .expect_err("refused");
    assert!(matches!(
        err,
        TrajectoryError::Field(FieldError::DatesOutOfOrder { .. })
    ));
}

#[test]
fn full_path_treatment_transition_support_closed() {
    let mut t = registered();
    step(
        &mut t,
        &cmd(Phase::Transition, None, Some(date(2026, 7, 1))),
    );
    assert_eq!(t.planned_end_on, Some(date(2026, 7, 1)));
    step(
        &mut t,
        &cmd(Phase::SocialSupport, Some("planned_completion"), None),
    );
    assert_eq!(t.end_reason, Some(EndReason::PlannedCompletion));
    assert_eq!(t.treatment_ended_on, Some(date(2026, 6, 1)));
    let event = step(&mut t, &cmd(Phase::Closed, Some("goals_achieved"), None));
    assert_eq!(event.sequence, 4);
    assert_eq!(t.phase, Phase::Closed);
    assert_eq!(t.version, 4);
}

#[test]
fn illegal_move_names_the_allowed_moves() {
    let t = registered();
    let err = t
        .decide(&cmd(Phase::Treatment, None, None), actor(), now())
        .expect_err("treatment to treatment is illegal");
    assert_eq!(
        err,
        TrajectoryError::IllegalTransition {
            from: Phase::Treatment,
            to: Phase::Treatment,
            allowed: vec![Phase::Transition, Phase::SocialSupport, Phase::Closed],
        }
    );
    assert!(
        err.to_string()
            .contains("transition, social_support, closed")
    );
}

#[test]
fn closed_is_terminal() {
    let mut t = registered();
    step(&mut t, &cmd(Phase::Closed, Some("moved"), None));
    for to in Phase::ALL {
        assert!(matches!(
            t.decide(&cmd(*to, Some("relapse"), None), actor(), now()),
            Err(TrajectoryError::IllegalTransition { .. })
        ));
    }
}

#[test]
fn transition_requires_a_planned_end_not_before_the_effective_date() {
    let t = registered();
    assert_eq!(
        t.decide(&cmd(Phase::Transition, None, None), actor(), now()),
        Err(TrajectoryError::PlannedEndRequired)
    );
    assert!(matches!(
        t.decide(
            &cmd(Phase::Transition, None, Some(date(2026, 5, 1))),
            actor(),
            now()
        ),
        Err(TrajectoryError::Field(FieldError::DatesOutOfOrder { .. }))
    ));
}

#[test]
fn ending_treatment_requires_an_end_reason_from_its_own_set() {
    let t = registered();
    assert!(matches!(
        t.decide(&cmd(Phase::SocialSupport, None, None), actor(), now()),
        Err(TrajectoryError::ReasonRequired { .. })
    ));
    let err = t
        .decide(
            &cmd(Phase::SocialSupport, Some("relapse"), None),
            actor(),
            now(),
        )
        .expect_err("relapse is not an end reason");
    assert!(
        err.to_string().contains("planned_completion, dropout"),
        "{err}"
    );
}

#[test]
fn deceased_must_close() {
    let t = registered();
    assert_eq!(
        t.decide(
            &cmd(Phase::SocialSupport, Some("deceased"), None),
            actor(),
            now()
        ),
        Err(TrajectoryError::DeceasedMustClose)
    );
    assert!(
        t.decide(&cmd(Phase::Closed, Some("deceased"), None), actor(), now())
            .is_ok()
    );
}

#[test]
fn relapse_returns_to_treatment_and_clears_the_end() {
    let mut t = registered();
    step(&mut t, &cmd(Phase::SocialSupport, Some("dropout"), None));
    step(&mut t, &cmd(Phase::Treatment, Some("relapse"), None));
    assert_eq!(t.phase, Phase::Treatment);
    assert_eq!(t.end_reason, None);
    assert_eq!(t.treatment_ended_on, None);
}

#[test]
fn dates_cannot_be_in_the_future_or_before_the_current_phase() {
    let t = registered();
    let mut future = cmd(Phase::Closed, Some("moved"), None);
    future.effective_on = date(2026, 11, 26);
    assert!(matches!(
        t.decide(&future, actor(), now()),
        Err(TrajectoryError::Field(FieldError::DateInFuture { .. }))
    ));
    let mut early = cmd(Phase::Closed, Some("moved"), None);
    early.effective_on = date(2025, 12, 31);
    assert!(matches!(
        t.decide(&early, actor(), now()),
        Err(TrajectoryError::Field(FieldError::DatesOutOfOrder { .. }))
    ));
}

#[test]
fn reasons_are_refused_where_none_applies() {
    let t = registered();
    assert!(matches!(
        t.decide(
            &cmd(Phase::Transition, Some("dropout"), Some(date(2026, 7, 1))),
            actor(),
            now()
        ),
        Err(TrajectoryError::ReasonNotApplicable { .. })
    ));
}

#[test]
fn event_serializes_with_its_kind() {
    let mut t = registered();
    let event = step(&mut t, &cmd(Phase::Closed, Some("client_choice"), None));
    let json = serde_json::to_value(&event.change).expect("serializes");
    assert_eq!(json["kind"], "treatment_ended");
    assert_eq!(json["reason"], "client_choice");
    let back: Change = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, event.change);
}

const REASONS: &[&str] = &[
    "planned_completion",
    "dropout",
    "client_choice",
    "referred_elsewhere",
    "moved",
    "deceased",
    "relapse",
    "readmission",
    "goals_achieved",
    "lost_to_contact",
    "nonsense",
];

fn command_strategy() -> impl Strategy<Value = (TransitionCommand, u64)> {
    (
        0..Phase::ALL.len(),
        proptest::option::of(0..REASONS.len()),
        proptest::option::of(0u64..60),
        0u64..20,
    )
        .prop_map(|(to, reason, planned, advance)| {
            let command = TransitionCommand {
                to: Phase::ALL[to],
                reason: reason.map(|r| REASONS[r].to_owned()),
                effective_on: date(2026, 1, 5),
                planned_end_on: planned.map(|d| date(2026, 1, 5) + Days::new(d * 3)),
                no_follow_up_reason: None,
            };
            (command, advance)
        })
}

proptest! {
    #[test]
    fn random_command_sequences_keep_the_invariants(commands in prop::collection::vec(command_strategy(), 0..40)) {
        let mut t = registered();
        let mut history: Vec<TrajectoryEvent> = Vec::new();
        let mut day = date(2026, 1, 5);
        for (mut command, advance) in commands {
            day = day + Days::new(advance);
            command.effective_on = day;
            if let Some(planned) = command.planned_end_on {
                command.planned_end_on = Some(planned + Days::new(day.signed_duration_since(date(2026, 1, 5)).num_days().unsigned_abs() / 2));
            }
            let before = t.clone();
            match t.decide(&command, actor(), now()) {
                Ok(event) => {
                    prop_assert_ne!(before.phase, Phase::Closed, "nothing leaves closed");
                    prop_assert!(move_between(before.phase, event.to).is_some());
                    prop_assert_eq!(event.from, Some(before.phase));
                    prop_assert_eq!(event.sequence, before.version + 1);
                    t.apply(&event);
                    history.push(event);
                }
                Err(_) => prop_assert_eq!(&t, &before, "a refused command changes nothing"),
            }
            prop_assert_eq!(t.version as usize, history.len() + 1, "version = number of events");
        }
        let mut phase = Phase::Treatment;
        for event in &history {
            prop_assert_eq!(event.from, Some(phase), "history is a connected path");
            phase = event.to;
        }
        prop_assert_eq!(phase, t.phase);
        prop_assert_eq!(t.end_reason.is_some(), t.treatment_ended_on.is_some());
        if t.phase.in_treatment() {
            prop_assert!(t.end_reason.is_none());
        }
    }
}
