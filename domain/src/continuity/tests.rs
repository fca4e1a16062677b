//! Tests of each continuity rule, the deadlines, escalation and idempotent reconciliation.

use chrono::Duration;

use super::*;
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::consent::{Consent, ConsentGrant};
use crate::kernel::calendar::start_of;
use crate::kernel::ids::{AlertId, ConsentId};
use crate::kernel::ids::{ReferralId, TrajectoryId};
use crate::kernel::org_id::GemeenteCode;
use crate::kernel::org_id::OrgId;
use crate::kernel::text::BoundedText;
use crate::referral::{
    ClientContact, ReferralAction, ReferralCommand, ReferralRequest, ReferralTerms,
    ReferrerContact, WmoClocks,
};
use crate::referral::{Referral, ReferralKind};
use crate::test_support::{actor, at, date, nijmegen, provider};
use crate::trajectory::Registration;
use crate::trajectory::Trajectory;
use crate::trajectory::phase::Phase;
use crate::trajectory::transition::TransitionCommand;

fn policy() -> ContinuityPolicy {
    ContinuityPolicy::default()
}

fn trajectory(planned_end_on: Option<NaiveDate>) -> Trajectory {
    let registration = Registration {
        client_ref: "c".parse().expect("ref"),
        municipality: GemeenteCode::parse("0268").expect("code"),
        started_on: date(2026, 1, 5),
        planned_end_on,
        previous: None,
    };
    Trajectory::register(
        TrajectoryId::new_at(at(2026, 1, 5)),
        registration,
        provider(),
        actor(OrgId::Agb(provider())),
        at(2026, 1, 5),
    )
    .expect("registers")
    .0
}

fn end(
    t: &mut Trajectory,
    to: Phase,
    reason: &str,
    no_follow_up: Option<&str>,
    when: DateTime<Utc>,
) {
    let command = TransitionCommand {
        to,
        reason: Some(reason.to_owned()),
        effective_on: when.date_naive(),
        planned_end_on: None,
        no_follow_up_reason: no_follow_up.map(|r| BoundedText::parse("r", r, 100).expect("text")),
    };
    let event = t
        .decide(&command, actor(OrgId::Agb(provider())), when)
        .expect("allowed");
    t.apply(&event);
}

fn referral(t: &Trajectory, kind: ReferralKind, recipient: OrgId, when: DateTime<Utc>) -> Referral {
    let grant = ConsentGrant {
        organisation: recipient,
        purpose: BoundedText::parse("p", "Wmo", 10).expect("text"),
        given_on: date(2026, 1, 5),
        expires_on: None,
    };
    let consent = Consent::record(
        ConsentId::new_at(when),
        t.id,
        grant,
        actor(OrgId::Agb(provider())),
        when,
    )
    .expect("consent");
    let request = ReferralRequest {
        kind,
        recipient,
        needs: Some(BoundedText::parse("n", "needs", 10).expect("text")),
        life_domains: Vec::new(),
        requested_start_on: None,
        client: ClientContact::default(),
        referrer: ReferrerContact::default(),
        service: None,
    };
    Referral::request(
        ReferralId::new_at(when),
        t,
        request,
        Some(&consent),
        actor(OrgId::Agb(provider())),
        when,
        ReferralTerms::default(),
    )
    .expect("requested")
    .0
}

fn act(
    r: &mut Referral,
    action: ReferralAction,
    when: DateTime<Utc>,
    planned_start_on: Option<NaiveDate>,
) {
    let command = ReferralCommand {
        action,
        reason: Some(BoundedText::parse("r", "reason", 10).expect("text")),
        reason_code: None,
        planned_start_on,
        application_on: None,
        effective_on: when.date_naive(),
    };
    let party = if action == ReferralAction::Cancel {
        crate::referral::Party::Requester
    } else {
        crate::referral::Party::Recipient
    };
    let event = r
        .decide(&command, party, actor(r.recipient), when)
        .expect("allowed");
    r.apply(&event, WmoClocks::default());
}

fn accepted(t: &Trajectory, when: DateTime<Utc>) -> Referral {
    let mut r = referral(t, ReferralKind::Housing, nijmegen(), when);
    act(&mut r, ReferralAction::Acknowledge, when, None);
    act(
        &mut r,
        ReferralAction::Accept,
        when,
        Some(when.date_naive() + Days::new(7)),
    );
    r
}

fn rules(t: &Trajectory, referrals: &[Referral], now: DateTime<Utc>) -> Vec<Rule> {
    Situation {
        trajectory: t,
        referrals,
        offers: &[],
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    }
    .conditions(now, &policy())
    .into_iter()
    .map(|c| c.rule)
    .collect()
}

#[test]
fn treatment_ended_without_followup_unless_arranged_deceased_or_not_needed() {
    let now = at(2026, 6, 1);
    let mut t = trajectory(None);
    end(
        &mut t,
        Phase::SocialSupport,
        "planned_completion",
        None,
        now,
    );
    assert_eq!(rules(&t, &[], now), [Rule::TreatmentEndedWithoutFollowup]);
    assert!(!rules(&t, &[accepted(&t, now)], now).contains(&Rule::TreatmentEndedWithoutFollowup));
    let requested_only = referral(&t, ReferralKind::Housing, nijmegen(), now);
    assert!(
        rules(&t, &[requested_only], now).contains(&Rule::TreatmentEndedWithoutFollowup),
        "a request is not follow-up"
    );

    let mut deceased = trajectory(None);
    end(&mut deceased, Phase::Closed, "deceased", None, now);
    assert!(rules(&deceased, &[], now).is_empty());
    let mut not_needed = trajectory(None);
    end(
        &mut not_needed,
        Phase::Closed,
        "client_choice",
        Some("Eigen netwerk; geen ondersteuning gewenst"),
        now,
    );
    assert!(rules(&not_needed, &[], now).is_empty());
    assert!(
        rules(&trajectory(None), &[], now).is_empty(),
        "still in treatment"
    );
}

#[test]
fn dropout_without_outreach_until_aftercare_is_referred() {
    let now = at(2026, 6, 1);
    let mut t = trajectory(None);
    end(&mut t, Phase::SocialSupport, "dropout", None, now);
    assert!(rules(&t, &[], now).contains(&Rule::DropoutWithoutOutreach));
    let aftercare = referral(&t, ReferralKind::Aftercare, OrgId::Agb(provider()), now);
    assert!(!rules(&t, &[aftercare], now).contains(&Rule::DropoutWithoutOutreach));
}

#[test]
fn end_approaching_warns_fourteen_days_before_and_sets_the_deadline() {
    let t = trajectory(Some(date(2026, 7, 1)));
    assert!(rules(&t, &[], at(2026, 6, 16)).is_empty());
    assert_eq!(
        rules(&t, &[], at(2026, 6, 17)),
        [Rule::EndApproachingWithoutFollowup]
    );
    let s = Situation {
        trajectory: &t,
        referrals: &[],
        offers: &[],
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    assert_eq!(
        s.next_deadline(at(2026, 6, 1), &policy()),
        Some(start_of(date(2026, 6, 17)))
    );
    assert!(rules(&t, &[accepted(&t, at(2026, 6, 17))], at(2026, 6, 17)).is_empty());
}

#[test]
fn unacknowledged_after_five_working_days() {
    let t = trajectory(None);
    // Friday 18 Dec 2026: five working days end on Monday 28 Dec (Christmas in between).
    let r = referral(&t, ReferralKind::Housing, nijmegen(), at(2026, 12, 18));
    let s = Situation {
        trajectory: &t,
        referrals: std::slice::from_ref(&r),
        offers: &[],
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    assert_eq!(
        s.next_deadline(at(2026, 12, 18), &policy()),
        Some(start_of(date(2026, 12, 29)))
    );
    assert!(rules(&t, std::slice::from_ref(&r), at(2026, 12, 28)).is_empty());
    assert_eq!(
        rules(&t, std::slice::from_ref(&r), at(2026, 12, 29)),
        [Rule::ReferralUnacknowledged]
    );
    let mut acknowledged = r.clone();
    act(
        &mut acknowledged,
        ReferralAction::Acknowledge,
        at(2026, 12, 29),
        None,
    );
    assert!(!rules(&t, &[acknowledged], at(2026, 12, 29)).contains(&Rule::ReferralUnacknowledged));
}

#[test]
fn wmo_assessment_overdue_after_six_weeks_without_decision() {
    let t = trajectory(None);
    let mut r = referral(&t, ReferralKind::WmoSupport, nijmegen(), at(2026, 3, 2));
    act(&mut r, ReferralAction::Acknowledge, at(2026, 3, 2), None);
    assert_eq!(r.assessment_due_on, Some(date(2026, 4, 13)));
    assert!(rules(&t, std::slice::from_ref(&r), at(2026, 4, 13)).is_empty());
    assert_eq!(
        rules(&t, std::slice::from_ref(&r), at(2026, 4, 14)),
        [Rule::WmoAssessmentOverdue]
    );
    act(
        &mut r,
        ReferralAction::Accept,
        at(2026, 4, 14),
        Some(date(2026, 4, 20)),
    );
    assert!(!rules(&t, &[r], at(2026, 4, 14)).contains(&Rule::WmoAssessmentOverdue));
}

#[test]
fn followup_start_overdue_when_the_start_passes_or_lies_beyond_the_norm() {
    let now = at(2026, 6, 1);
    let t = trajectory(None);
    let r = accepted(&t, now);
    assert!(rules(&t, std::slice::from_ref(&r), now).is_empty());
    assert_eq!(
        rules(&t, std::slice::from_ref(&r), now + Duration::days(8)),
        [Rule::FollowupStartOverdue]
    );
    let mut late = referral(&t, ReferralKind::Housing, nijmegen(), now);
    act(&mut late, ReferralAction::Acknowledge, now, None);
    act(
        &mut late,
        ReferralAction::Accept,
        now,
        Some(date(2026, 9, 1)),
    );
    assert_eq!(
        rules(&t, &[late.clone()], now),
        [Rule::FollowupStartOverdue],
        "beyond the 28-day norm"
    );
    act(&mut late, ReferralAction::Start, now, None);
    assert!(rules(&t, &[late], now).is_empty());
}

#[test]
fn support_gap_when_the_last_active_referral_ends() {
    let now = at(2026, 6, 1);
    let mut t = trajectory(None);
    let mut r = accepted(&t, now);
    end(
        &mut t,
        Phase::SocialSupport,
        "planned_completion",
        None,
        now,
    );
    assert!(
        rules(&t, std::slice::from_ref(&r), now).is_empty(),
        "follow-up in place"
    );
    act(&mut r, ReferralAction::Start, now, None);
    act(&mut r, ReferralAction::Complete, now, None);
    assert_eq!(rules(&t, std::slice::from_ref(&r), now), [Rule::SupportGap]);
    let next = accepted(&t, now);
    assert!(rules(&t, &[r, next], now).is_empty());
}

#[test]
fn reconcile_opens_once_resolves_when_cleared_and_escalates_once() {
    let now = at(2026, 6, 1);
    let mut t = trajectory(None);
    end(
        &mut t,
        Phase::SocialSupport,
        "planned_completion",
        None,
        now,
    );
    let s = Situation {
        trajectory: &t,
        referrals: &[],
        offers: &[],
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    let first = reconcile(&s, &[], now, &policy(), "treatment_ended", || {
        AlertId::new_at(now)
    });
    assert_eq!(first.changes.len(), 1);
    let AlertChange::Opened(alert) = &first.changes[0] else {
        panic!("opened")
    };
    assert_eq!(alert.severity, Severity::Critical);
    assert_eq!(
        first.next_check,
        Some(now + Duration::hours(24)),
        "escalation is due in 24 h"
    );

    let again = reconcile(
        &s,
        std::slice::from_ref(alert),
        now,
        &policy(),
        "deadline",
        || AlertId::new_at(now),
    );
    assert!(again.changes.is_empty(), "idempotent");

    let later = now + Duration::hours(25);
    let escalated = reconcile(
        &s,
        std::slice::from_ref(alert),
        later,
        &policy(),
        "deadline",
        || AlertId::new_at(now),
    );
    let AlertChange::Escalated(escalated) = &escalated.changes[0] else {
        panic!("escalated")
    };
    assert_eq!(escalated.severity, Severity::Escalated);
    let once = reconcile(
        &s,
        std::slice::from_ref(escalated),
        later + Duration::hours(48),
        &policy(),
        "deadline",
        || AlertId::new_at(now),
    );
    assert!(once.changes.is_empty(), "escalates once");

    let arranged = [accepted(&t, later)];
    let cleared = Situation {
        trajectory: &t,
        referrals: &arranged,
        offers: &[],
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    let resolved = reconcile(
        &cleared,
        std::slice::from_ref(escalated),
        later,
        &policy(),
        "referral_accepted",
        || AlertId::new_at(now),
    );
    let AlertChange::Resolved(resolved) = &resolved.changes[0] else {
        panic!("resolved")
    };
    assert_eq!(
        resolved.resolution,
        Some(Resolution::Cleared {
            cause: "referral_accepted".into()
        })
    );
}

#[test]
fn acknowledged_alerts_do_not_escalate_and_resolve_by_hand() {
    let now = at(2026, 6, 1);
    let mut t = trajectory(None);
    end(
        &mut t,
        Phase::SocialSupport,
        "planned_completion",
        None,
        now,
    );
    let s = Situation {
        trajectory: &t,
        referrals: &[],
        offers: &[],
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    let outcome = reconcile(&s, &[], now, &policy(), "x", || AlertId::new_at(now));
    let mut alert = outcome.changes[0].alert().clone();
    alert
        .acknowledge(actor(OrgId::Agb(provider())), now)
        .expect("acknowledges");
    assert!(
        alert
            .acknowledge(actor(OrgId::Agb(provider())), now)
            .is_err()
    );
    let later = reconcile(
        &s,
        std::slice::from_ref(&alert),
        now + Duration::hours(30),
        &policy(),
        "deadline",
        || AlertId::new_at(now),
    );
    assert!(later.changes.is_empty());
    let reason =
        BoundedText::parse("reason", "Cliënt geeft aan zelf hulp te regelen", 200).expect("text");
    alert
        .resolve(
            Resolution::ByHand {
                actor: actor(OrgId::Agb(provider())),
                reason,
            },
            now,
        )
        .expect("resolves");
    assert_eq!(alert.status, AlertStatus::Resolved);
}

#[test]
fn a_gap_alert_informs_the_municipality_only_with_consent_and_stops_when_it_goes() {
    let now = at(2026, 6, 1);
    let mut t = trajectory(None);
    end(&mut t, Phase::Closed, "client_choice", None, now);
    let consented = Situation {
        trajectory: &t,
        referrals: &[],
        offers: &[],
        meetings: &[],
        outcome_checks: &[],
        resident_consent: true,
    };
    let opened = reconcile(&consented, &[], now, &policy(), "treatment_ended", || {
        AlertId::new_at(now)
    });
    let AlertChange::Opened(alert) = &opened.changes[0] else {
        panic!("opened")
    };
    assert!(alert.informs_municipality);
    assert!(alert.concerns().contains(&OrgId::Gemeente(t.municipality)));
    let without = Situation {
        resident_consent: false,
        ..consented
    };
    let withdrawn = reconcile(
        &without,
        std::slice::from_ref(alert),
        now,
        &policy(),
        "consent_withdrawn",
        || AlertId::new_at(now),
    );
    let [AlertChange::Shared(unshared)] = withdrawn.changes.as_slice() else {
        panic!("one sharing change: {:?}", withdrawn.changes)
    };
    assert!(!unshared.informs_municipality);
    assert_eq!(unshared.concerns(), vec![OrgId::Agb(t.treating_provider)]);
    let fresh = reconcile(&without, &[], now, &policy(), "treatment_ended", || {
        AlertId::new_at(now)
    });
    let AlertChange::Opened(private) = &fresh.changes[0] else {
        panic!("opened")
    };
    assert!(
        !private.informs_municipality,
        "no consent, nothing for the municipality"
    );
}

#[test]
fn an_accepted_referral_needs_a_warm_handoff_in_the_last_week_of_treatment() {
    use crate::kernel::ids::{MeetingId, ReferralId};
    use crate::team::{HandoffOutcome, Meeting};
    let t = trajectory(Some(date(2026, 6, 30)));
    let r = accepted(&t, at(2026, 6, 1));
    let on = |now: DateTime<Utc>, meetings: &[Meeting]| {
        Situation {
            trajectory: &t,
            referrals: std::slice::from_ref(&r),
            offers: &[],
            meetings,
            outcome_checks: &[],
            resident_consent: false,
        }
        .conditions(now, &policy())
        .iter()
        .any(|c| c.rule == Rule::WarmHandoffMissing)
    };
    assert!(
        !on(at(2026, 6, 22), &[]),
        "eight days before the end: not yet"
    );
    assert!(
        on(at(2026, 6, 23), &[]),
        "seven days before the end, nothing planned"
    );
    let s = Situation {
        trajectory: &t,
        referrals: std::slice::from_ref(&r),
        offers: &[],
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    assert_eq!(
        s.next_deadline(at(2026, 6, 10), &policy()),
        Some(start_of(date(2026, 6, 23))),
        "the timer wakes when the handoff falls due"
    );
    let mut meeting = Meeting::plan(
        MeetingId::new_at(at(2026, 6, 20)),
        r.id,
        t.id,
        at(2026, 6, 26),
        Vec::new(),
        actor(nijmegen()),
        at(2026, 6, 20),
    );
    assert!(
        !on(at(2026, 6, 23), std::slice::from_ref(&meeting)),
        "planned"
    );
    let other = Meeting {
        referral_id: ReferralId::new_at(at(2026, 6, 20)),
        ..meeting.clone()
    };
    assert!(
        on(at(2026, 6, 23), &[other]),
        "a meeting for another referral does not count"
    );
    meeting
        .record(
            HandoffOutcome::NotHeld {
                reason: BoundedText::parse("reason", "Cliënt ziek", 100).expect("text"),
            },
            actor(nijmegen()),
            at(2026, 6, 26),
        )
        .expect("recorded");
    assert!(
        on(at(2026, 6, 27), &[meeting]),
        "not held: the alert comes back"
    );
}

#[test]
fn an_outcome_check_overdue_by_more_than_two_weeks_warns_until_recorded() {
    use crate::aftercare::{CheckOutcome, OutcomeCheck, checks_due};
    let mut t = trajectory(None);
    let r = accepted(&t, at(2026, 5, 20));
    end(
        &mut t,
        Phase::Closed,
        "planned_completion",
        None,
        at(2026, 6, 1),
    );
    let owes = checks_due(&t, std::slice::from_ref(&r), &policy().outcome);
    assert_eq!(owes, vec![(30, date(2026, 7, 1)), (90, date(2026, 8, 30))]);
    let holds = |now: DateTime<Utc>, checks: &[OutcomeCheck]| {
        Situation {
            trajectory: &t,
            referrals: std::slice::from_ref(&r),
            offers: &[],
            meetings: &[],
            outcome_checks: checks,
            resident_consent: false,
        }
        .conditions(now, &policy())
        .iter()
        .any(|c| c.rule == Rule::OutcomeCheckOverdue)
    };
    assert!(!holds(at(2026, 7, 15), &[]), "due plus 14 days: not yet");
    assert!(
        holds(at(2026, 7, 16), &[]),
        "overdue by more than two weeks"
    );
    let first = OutcomeCheck::record(
        &t,
        &owes,
        30,
        CheckOutcome::Stable,
        date(2026, 7, 16),
        actor(OrgId::Agb(provider())),
        at(2026, 7, 16),
    )
    .expect("records");
    assert!(!holds(at(2026, 7, 16), std::slice::from_ref(&first)));
    assert!(
        holds(at(2026, 9, 14), std::slice::from_ref(&first)),
        "the 90-day check"
    );
    assert!(
        OutcomeCheck::record(
            &t,
            &owes,
            60,
            CheckOutcome::Stable,
            date(2026, 7, 16),
            actor(OrgId::Agb(provider())),
            at(2026, 7, 16)
        )
        .is_err(),
        "no 60-day check is owed"
    );
    let without_follow_up = trajectory(None);
    assert!(checks_due(&without_follow_up, &[], &policy().outcome).is_empty());
}
