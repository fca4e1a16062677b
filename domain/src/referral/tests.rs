//! Unit and property tests of the referral aggregate.

use crate::kernel::value::FieldError;
use chrono::Days;
use proptest::prelude::*;

use super::*;
use crate::consent::ConsentGrant;
use crate::kernel::ids::ConsentId;
use crate::kernel::org_id::GemeenteCode;
use crate::test_support::{actor, at, date, nijmegen, provider};
use crate::trajectory::Registration;

fn now() -> DateTime<Utc> {
    at(2026, 11, 25)
}

fn trajectory() -> Trajectory {
    let registration = Registration {
        client_ref: "client-1".parse().expect("ref"),
        municipality: GemeenteCode::parse("0268").expect("code"),
        started_on: date(2026, 1, 5),
        planned_end_on: None,
        previous: None,
    };
    Trajectory::register(
        TrajectoryId::new_at(now()),
        registration,
        provider(),
        actor(OrgId::Agb(provider())),
        now(),
    )
    .expect("registers")
    .0
}

fn consent_for(t: &Trajectory, org: OrgId) -> Consent {
    let grant = ConsentGrant {
        organisation: org,
        purpose: BoundedText::parse("purpose", "Wmo-ondersteuning", 200).expect("text"),
        given_on: date(2026, 11, 1),
        expires_on: None,
    };
    Consent::record(
        ConsentId::new_at(now()),
        t.id,
        grant,
        actor(OrgId::Agb(provider())),
        now(),
    )
    .expect("consent")
}

fn request(recipient: OrgId) -> ReferralRequest {
    ReferralRequest {
        kind: ReferralKind::Housing,
        recipient,
        needs: Some(BoundedText::parse("needs", "Zoekt woonruimte na opname", 1000).expect("text")),
        life_domains: Vec::new(),
        requested_start_on: Some(date(2026, 12, 1)),
        client: ClientContact::default(),
        referrer: ReferrerContact::default(),
        service: None,
    }
}

fn requested() -> Referral {
    let t = trajectory();
    let consent = consent_for(&t, nijmegen());
    Referral::request(
        ReferralId::new_at(now()),
        &t,
        request(nijmegen()),
        Some(&consent),
        actor(OrgId::Agb(provider())),
        now(),
        ReferralTerms::default(),
    )
    .expect("requested")
    .0
}

fn command(action: ReferralAction) -> ReferralCommand {
    ReferralCommand {
        action,
        reason: None,
        reason_code: None,
        planned_start_on: None,
        application_on: None,
        effective_on: now().date_naive(),
    }
}

fn act(
    referral: &mut Referral,
    command: &ReferralCommand,
    party: Party,
) -> Result<ReferralEvent, ReferralError> {
    let org = match party {
        Party::Requester => OrgId::Agb(provider()),
        Party::Recipient => nijmegen(),
    };
    let event = referral.decide(command, party, actor(org), now())?;
    referral.apply(&event, WmoClocks::default());
    Ok(event)
}

#[test]
fn a_referral_outside_the_provider_needs_consent_for_that_organisation() {
    let t = trajectory();
    let amsterdam: OrgId = "gemeente:0363".parse().expect("org");
    let wrong = consent_for(&t, amsterdam);
    for consent in [None, Some(&wrong)] {
        let err = Referral::request(
            ReferralId::new_at(now()),
            &t,
            request(nijmegen()),
            consent,
            actor(OrgId::Agb(provider())),
            now(),
            ReferralTerms::default(),
        )
        .expect_err("refused");
        assert_eq!(
            err,
            ReferralError::ConsentRequired {
                organisation: nijmegen()
            }
        );
    }
    // Aftercare by the treating provider itself needs no consent.
    let own = Referral::request(
        ReferralId::new_at(now()),
        &t,
        request(OrgId::Agb(provider())),
        None,
        actor(OrgId::Agb(provider())),
        now(),
        ReferralTerms::default(),
    );
    assert!(own.is_ok());
}

#[test]
fn the_closed_loop_sets_dates_and_wmo_due_dates() {
    let mut r = requested();
    act(
        &mut r,
        &command(ReferralAction::Acknowledge),
        Party::Recipient,
    )
    .expect("ack");
    assert_eq!(r.status, ReferralStatus::Received);
    assert_eq!(
        r.assessment_due_on,
        Some(date(2027, 1, 6)),
        "6 weeks after receipt"
    );
    let mut assess = command(ReferralAction::Assess);
    assess.application_on = Some(date(2026, 11, 20));
    act(&mut r, &assess, Party::Recipient).expect("assess");
    assert_eq!(
        r.decision_due_on,
        Some(date(2026, 12, 4)),
        "2 weeks after the application"
    );
    let mut accept = command(ReferralAction::Accept);
    accept.planned_start_on = Some(date(2026, 12, 1));
    act(&mut r, &accept, Party::Recipient).expect("accept");
    assert_eq!(r.planned_start_on, Some(date(2026, 12, 1)));
    assert!(r.decided_at.is_some());
    act(&mut r, &command(ReferralAction::Start), Party::Recipient).expect("start");
    act(&mut r, &command(ReferralAction::Complete), Party::Recipient).expect("complete");
    assert_eq!(r.status, ReferralStatus::Completed);
    assert_eq!(r.version, 6);
}

#[test]
fn assessment_is_allowed_once_and_the_requester_cannot_answer() {
    let mut r = requested();
    assert_eq!(
        act(
            &mut r,
            &command(ReferralAction::Acknowledge),
            Party::Requester
        ),
        Err(ReferralError::NotYourAction {
            action: ReferralAction::Acknowledge
        })
    );
    act(
        &mut r,
        &command(ReferralAction::Acknowledge),
        Party::Recipient,
    )
    .expect("ack");
    act(&mut r, &command(ReferralAction::Assess), Party::Recipient).expect("assess");
    let err = act(&mut r, &command(ReferralAction::Assess), Party::Recipient).expect_err("twice");
    assert!(
        matches!(err, ReferralError::IllegalReferralAction { ref allowed, .. } if allowed == &[ReferralAction::Accept, ReferralAction::Reject])
    );
}

#[test]
fn reject_and_fail_need_a_reason_and_accept_a_start_date() {
    let mut r = requested();
    act(
        &mut r,
        &command(ReferralAction::Acknowledge),
        Party::Recipient,
    )
    .expect("ack");
    for action in [ReferralAction::Reject, ReferralAction::Accept] {
        assert!(matches!(
            act(&mut r, &command(action), Party::Recipient),
            Err(ReferralError::FieldRequired { .. })
        ));
    }
}

#[test]
fn a_rejection_carries_a_code_and_other_needs_words() {
    let mut r = requested();
    act(
        &mut r,
        &command(ReferralAction::Acknowledge),
        Party::Recipient,
    )
    .expect("ack");
    let other = ReferralCommand {
        reason_code: Some(RejectionReason::Other),
        ..command(ReferralAction::Reject)
    };
    assert!(matches!(
        act(&mut r.clone(), &other, Party::Recipient),
        Err(ReferralError::FieldRequired {
            field: "reason",
            ..
        })
    ));
    let full = ReferralCommand {
        reason_code: Some(RejectionReason::NoCapacity),
        ..command(ReferralAction::Reject)
    };
    act(&mut r, &full, Party::Recipient).expect("a code alone is enough");
    assert_eq!(r.status, ReferralStatus::Rejected);
    assert_eq!(r.rejection, Some(RejectionReason::NoCapacity));
}

#[test]
fn a_rejection_stored_before_codes_reads_as_other() {
    let old: ReferralChange =
        serde_json::from_str(r#"{"kind": "rejected", "reason": "Geen plek"}"#).expect("reads");
    assert!(matches!(
        old,
        ReferralChange::Rejected {
            code: RejectionReason::Other,
            reason: Some(_)
        }
    ));
}

#[test]
fn cancel_only_before_work_starts() {
    let mut r = requested();
    act(
        &mut r,
        &command(ReferralAction::Acknowledge),
        Party::Recipient,
    )
    .expect("ack");
    let mut accept = command(ReferralAction::Accept);
    accept.planned_start_on = Some(now().date_naive() + Days::new(7));
    act(&mut r, &accept, Party::Recipient).expect("accept");
    act(&mut r, &command(ReferralAction::Start), Party::Recipient).expect("start");
    assert!(matches!(
        act(&mut r, &command(ReferralAction::Cancel), Party::Requester),
        Err(ReferralError::IllegalReferralAction { .. })
    ));
}

fn closed(reason: &str, on: NaiveDate) -> Trajectory {
    let mut t = trajectory();
    let cmd = crate::trajectory::transition::TransitionCommand {
        to: Phase::Closed,
        reason: Some(reason.into()),
        effective_on: on,
        planned_end_on: None,
        no_follow_up_reason: None,
    };
    let event = t
        .decide(&cmd, actor(OrgId::Agb(provider())), now())
        .expect("closes");
    t.apply(&event);
    t
}

fn refer_to(t: &Trajectory) -> Result<(Referral, ReferralEvent), ReferralError> {
    let consent = consent_for(t, nijmegen());
    Referral::request(
        ReferralId::new_at(now()),
        t,
        request(nijmegen()),
        Some(&consent),
        actor(OrgId::Agb(provider())),
        now(),
        ReferralTerms::default(),
    )
}

#[test]
fn a_closed_trajectory_takes_follow_up_only_for_a_while_and_never_after_death() {
    // Closed five days ago (now is 25 Nov 2026): the follow-up can still be arranged.
    assert!(refer_to(&closed("moved", date(2026, 11, 20))).is_ok());
    // 90 days is the last day.
    assert!(refer_to(&closed("moved", date(2026, 8, 27))).is_ok());
    assert_eq!(
        refer_to(&closed("moved", date(2026, 8, 26))).err(),
        Some(ReferralError::TrajectoryClosed),
        "91 days after closure"
    );
    assert_eq!(
        refer_to(&closed("deceased", date(2026, 11, 20))).err(),
        Some(ReferralError::TrajectoryClosed)
    );
}

proptest! {
    #[test]
    fn random_actions_keep_the_invariants(steps in prop::collection::vec((0..ReferralAction::ALL.len(), any::<bool>(), any::<bool>()), 0..30)) {
        let mut r = requested();
        let fixed = (r.id, r.trajectory_id, r.requester, r.recipient, r.kind);
        let mut events = 1u32;
        for (action, as_recipient, with_fields) in steps {
            let mut cmd = command(ReferralAction::ALL[action]);
            if with_fields {
                cmd.reason = Some(BoundedText::parse("reason", "because", 10).expect("text"));
                cmd.planned_start_on = Some(now().date_naive());
            }
            let party = if as_recipient { Party::Recipient } else { Party::Requester };
            let before = r.clone();
            match act(&mut r, &cmd, party) {
                Ok(event) => {
                    events += 1;
                    prop_assert!(before.status.is_open(), "closed referrals never change");
                    prop_assert_eq!(event.from, Some(before.status));
                    prop_assert_eq!(table::rule(cmd.action).party, party);
                }
                Err(_) => prop_assert_eq!(&r, &before),
            }
            prop_assert_eq!(r.version, events);
            prop_assert_eq!((r.id, r.trajectory_id, r.requester, r.recipient, r.kind), fixed);
        }
    }
}

#[test]
fn the_wmo_assessment_term_runs_from_the_inbox_not_from_a_late_acknowledgement() {
    let mut r = requested();
    assert_eq!(
        r.assessment_due_on,
        Some(date(2027, 1, 6)),
        "six weeks after the referral reached the municipality's inbox"
    );
    let late = at(2026, 12, 10);
    let event = r
        .decide(
            &ReferralCommand {
                effective_on: late.date_naive(),
                ..command(ReferralAction::Acknowledge)
            },
            Party::Recipient,
            actor(nijmegen()),
            late,
        )
        .expect("ack");
    r.apply(&event, WmoClocks::default());
    assert_eq!(
        r.assessment_due_on,
        Some(date(2027, 1, 6)),
        "a late acknowledgement does not move the municipality's own deadline"
    );
}

#[test]
fn a_wmo_term_ending_on_a_weekend_moves_to_monday() {
    // 28 Nov 2026 (Saturday) + 42 days = Saturday 9 Jan 2027: the term ends Monday 11 Jan.
    let t = trajectory();
    let consent = consent_for(&t, nijmegen());
    let saturday = at(2026, 11, 28);
    let (r, _) = Referral::request(
        ReferralId::new_at(saturday),
        &t,
        request(nijmegen()),
        Some(&consent),
        actor(OrgId::Agb(provider())),
        saturday,
        ReferralTerms::default(),
    )
    .expect("requested");
    assert_eq!(r.assessment_due_on, Some(date(2027, 1, 11)));
}

#[test]
fn withdrawn_consent_cancels_any_open_referral_and_leaves_closed_ones() {
    let mut r = requested();
    act(
        &mut r,
        &command(ReferralAction::Acknowledge),
        Party::Recipient,
    )
    .expect("ack");
    let mut accept = command(ReferralAction::Accept);
    accept.planned_start_on = Some(date(2026, 12, 1));
    act(&mut r, &accept, Party::Recipient).expect("accept");
    act(&mut r, &command(ReferralAction::Start), Party::Recipient).expect("start");
    let event = r
        .cancel_for_withdrawn_consent(actor(OrgId::Agb(provider())), now())
        .expect("an open referral is cancelled");
    r.apply(&event, WmoClocks::default());
    assert_eq!(r.status, ReferralStatus::Cancelled);
    assert_eq!(
        r.status_reason.as_ref().map(BoundedText::as_str),
        Some(CONSENT_WITHDRAWN_REASON)
    );
    assert!(
        r.cancel_for_withdrawn_consent(actor(OrgId::Agb(provider())), now())
            .is_none(),
        "a closed referral stays as it is"
    );
}

#[test]
fn a_request_says_what_help_is_asked_in_codes_or_in_words() {
    let t = trajectory();
    let consent = consent_for(&t, nijmegen());
    let ask = |needs: Option<BoundedText>, life_domains: Vec<LifeDomain>| {
        let mut r = request(nijmegen());
        r.needs = needs;
        r.life_domains = life_domains;
        Referral::request(
            ReferralId::new_at(now()),
            &t,
            r,
            Some(&consent),
            actor(OrgId::Agb(provider())),
            now(),
            ReferralTerms::default(),
        )
        .map(|(referral, _)| referral)
    };
    assert!(matches!(
        ask(None, Vec::new()),
        Err(ReferralError::Field(FieldError::FieldRule {
            field: "life_domains",
            ..
        }))
    ));
    let coded = ask(None, vec![LifeDomain::Housing, LifeDomain::IncomeAndDebts]).expect("codes");
    assert_eq!(coded.needs, None);
    assert_eq!(coded.life_domains.len(), 2);
}
