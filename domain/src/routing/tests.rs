use chrono::Duration;
use proptest::prelude::*;

use super::*;
use crate::catalog::{
    Availability, Capacity, Eligibility, Figure, Measured, Service, ServiceDetails, ServiceStatus,
    WaitingTimes,
};
use crate::kernel::ids::{OfferId, ReferralId, ServiceId, TrajectoryId};
use crate::kernel::org_id::{GemeenteCode, OrgId};
use crate::kernel::text::BoundedText;
use crate::referral::{ClientContact, Referral, ReferralKind, ReferralStatus, ReferrerContact};
use crate::test_support::{actor, at, provider};

fn org(text: &str) -> OrgId {
    text.parse().expect("org")
}

fn candidates(n: usize) -> Vec<Candidate> {
    (0..n)
        .map(|i| Candidate {
            recipient: org(&format!("agb:1000000{i}")),
            service: None,
        })
        .collect()
}

fn offer() -> Offer {
    Offer::new(
        OfferId::new_at(at(2026, 12, 2)),
        TrajectoryId::new_at(at(2026, 12, 2)),
        provider(),
        ReferralKind::Housing,
        &candidates(3),
        at(2026, 12, 2),
        OfferPolicy::default(),
    )
    .expect("offer")
}

fn candidate(offer: &Offer, recipient: OrgId, status: ReferralStatus) -> Referral {
    Referral {
        id: ReferralId::new_at(offer.created_at),
        trajectory_id: offer.trajectory_id,
        requester: offer.requester,
        recipient,
        kind: offer.kind,
        status,
        needs: Some(BoundedText::parse("needs", "Woonruimte", 100).expect("text")),
        life_domains: Vec::new(),
        requested_start_on: None,
        client: ClientContact::default(),
        referrer: ReferrerContact::default(),
        requested_at: offer.created_at,
        received_at: None,
        application_on: None,
        decided_at: None,
        planned_start_on: None,
        started_on: None,
        ended_on: None,
        status_reason: None,
        rejection: None,
        offer: Some(offer.id),
        assessment_due_on: None,
        decision_due_on: None,
        version: 1,
        updated_at: offer.created_at,
        service: None,
    }
}

#[test]
fn an_offer_goes_to_two_to_five_different_candidates() {
    let make = |c: &[Candidate]| {
        Offer::new(
            OfferId::new_at(at(2026, 12, 2)),
            TrajectoryId::new_at(at(2026, 12, 2)),
            provider(),
            ReferralKind::Housing,
            c,
            at(2026, 12, 2),
            OfferPolicy::default(),
        )
    };
    assert!(make(&candidates(1)).is_err());
    assert!(make(&candidates(2)).is_ok());
    assert!(make(&candidates(5)).is_ok());
    assert!(make(&candidates(6)).is_err());
    let twice = vec![candidates(1)[0], candidates(1)[0]];
    assert!(matches!(
        make(&twice),
        Err(crate::OfferError::CandidateTwice { .. })
    ));
}

#[test]
fn ten_working_days_from_wednesday_end_after_the_second_tuesday() {
    // Wed 2 Dec 2026 + 10 working days = Wed 16 Dec; expires at the start of the 17th.
    assert_eq!(offer().expires_at, at(2026, 12, 17) - Duration::hours(12));
}

#[test]
fn the_first_acceptance_selects_and_cancels_the_other_open_candidates() {
    let mut o = offer();
    let a = candidate(&o, org("agb:10000000"), ReferralStatus::Accepted);
    let b = candidate(&o, org("agb:10000001"), ReferralStatus::Received);
    let c = candidate(&o, org("agb:10000002"), ReferralStatus::Rejected);
    let events = o
        .select(
            a.id,
            &[a.clone(), b.clone(), c],
            &actor(a.recipient),
            at(2026, 12, 3),
        )
        .expect("selects");
    assert_eq!(o.status, OfferStatus::Selected);
    assert_eq!(o.selected, Some(a.id));
    assert_eq!(events.len(), 1, "only the open other candidate");
    assert_eq!(events[0].referral_id, b.id);
    assert_eq!(events[0].to, ReferralStatus::Cancelled);
    assert!(matches!(
        &events[0].change,
        crate::referral::ReferralChange::Cancelled { reason: Some(r) } if r.as_str() == NOT_SELECTED_REASON
    ));
    // A second acceptance finds the offer closed.
    assert!(matches!(
        o.select(b.id, &[a, b.clone()], &actor(b.recipient), at(2026, 12, 3)),
        Err(crate::OfferError::OfferClosed { .. })
    ));
}

#[test]
fn an_offer_expires_only_when_due_and_only_while_open() {
    let mut o = offer();
    let a = candidate(&o, org("agb:10000000"), ReferralStatus::Requested);
    let due = o.expires_at;
    let system = actor(OrgId::Agb(provider()));
    assert!(
        o.expire(
            std::slice::from_ref(&a),
            &system,
            due - Duration::seconds(1)
        )
        .is_none()
    );
    let events = o
        .expire(std::slice::from_ref(&a), &system, due)
        .expect("expires");
    assert_eq!(o.status, OfferStatus::Expired);
    assert_eq!(events.len(), 1);
    assert!(o.expire(&[a], &system, due).is_none(), "once");
}

#[test]
fn an_offer_every_candidate_turned_down_is_exhausted() {
    let mut o = offer();
    let a = candidate(&o, org("agb:10000000"), ReferralStatus::Rejected);
    let mut b = candidate(&o, org("agb:10000001"), ReferralStatus::Received);
    assert!(!o.settle(&[a.clone(), b.clone()], at(2026, 12, 3)));
    b.status = ReferralStatus::Rejected;
    assert!(o.settle(&[a, b], at(2026, 12, 3)));
    assert_eq!(o.status, OfferStatus::Exhausted);
}

fn den_bosch() -> GemeenteCode {
    GemeenteCode::parse("0796").expect("code")
}

fn service(
    n: u32,
    owner: &str,
    median: Option<f64>,
    room: Availability,
) -> (Service, WaitingTimes) {
    let details = ServiceDetails {
        name: BoundedText::parse("name", &format!("Wonen {n}"), 200).expect("text"),
        description: None,
        kind: ReferralKind::Housing,
        status: ServiceStatus::Active,
        serves: vec![den_bosch()],
        eligibility: Eligibility::new(None, None, None, false).expect("eligibility"),
        how_to_apply: None,
        public_phone: None,
        public_email: None,
        website: None,
        languages: Vec::new(),
        assured_on: None,
        stated_wait_days: Some(n),
    };
    let s = Service {
        id: ServiceId::new_at(at(2026, 1, 1) + Duration::seconds(i64::from(n))),
        owner: org(owner),
        details,
        capacity: Some(Capacity::Answer {
            availability: room,
            updated_at: at(2026, 12, 1),
        }),
        version: 1,
        created_at: at(2026, 1, 1),
        updated_at: at(2026, 1, 1),
    };
    let measured = median.map_or(Measured::InsufficientData, |m| {
        Measured::Figure(Figure {
            median_days: m,
            p80_days: m,
            measured: 5,
            within_norm: 1.0,
            median_breaks_norm: false,
        })
    });
    let w = WaitingTimes {
        to_acceptance: measured,
        to_start: Measured::InsufficientData,
        total: Measured::InsufficientData,
    };
    (s, w)
}

#[test]
fn alternatives_have_room_and_come_shortest_measured_wait_first_without_those_tried() {
    let services = vec![
        service(1, "gemeente:0796", Some(20.0), Availability::Yes),
        service(2, "agb:20000000", None, Availability::Yes),
        service(3, "agb:30000000", Some(5.0), Availability::Waitlist),
        service(4, "agb:40000000", Some(1.0), Availability::No),
        service(5, "agb:50000000", Some(2.0), Availability::Yes),
        service(6, "agb:60000000", Some(3.0), Availability::Yes),
    ];
    let rejected_by_5 = services[4].0.id;
    let tried = Tried {
        services: vec![rejected_by_5],
        organisations: vec![org("agb:60000000")],
    };
    let ranked = rank_alternatives(services, ReferralKind::Housing, den_bosch(), &tried, 10);
    let names: Vec<u32> = ranked
        .iter()
        .filter_map(|(s, _)| s.details.stated_wait_days)
        .collect();
    assert_eq!(
        names,
        vec![3, 1, 2],
        "5 and 6 tried, 4 has no room, unmeasured last"
    );
}

proptest! {
    #[test]
    fn alternatives_never_include_what_was_tried_and_are_ordered(
        medians in proptest::collection::vec(proptest::option::of(0.0f64..100.0), 1..12),
        tried_mask in proptest::collection::vec(any::<bool>(), 12),
    ) {
        let services: Vec<_> = medians
            .iter()
            .enumerate()
            .map(|(i, m)| service(i as u32, &format!("agb:7000000{}", i % 10), *m, Availability::Yes))
            .collect();
        let tried = Tried {
            services: services
                .iter()
                .zip(&tried_mask)
                .filter(|(_, t)| **t)
                .map(|((s, _), _)| s.id)
                .collect(),
            organisations: Vec::new(),
        };
        let ranked = rank_alternatives(services, ReferralKind::Housing, den_bosch(), &tried, 20);
        for (s, _) in &ranked {
            prop_assert!(!tried.services.contains(&s.id));
        }
        let waits: Vec<Option<f64>> = ranked
            .iter()
            .map(|(_, w)| match w.to_acceptance {
                Measured::Figure(f) => Some(f.median_days),
                Measured::InsufficientData => None,
            })
            .collect();
        for pair in waits.windows(2) {
            match (pair[0], pair[1]) {
                (Some(a), Some(b)) => prop_assert!(a <= b),
                (None, Some(_)) => prop_assert!(false, "unmeasured before measured"),
                _ => {}
            }
        }
    }
}

fn in_treatment() -> crate::trajectory::Trajectory {
    let registration = crate::trajectory::Registration {
        client_ref: "client-offer".parse().expect("ref"),
        municipality: den_bosch(),
        started_on: crate::test_support::date(2026, 1, 5),
        planned_end_on: None,
        previous: None,
    };
    crate::trajectory::Trajectory::register(
        TrajectoryId::new_at(at(2026, 12, 2)),
        registration,
        provider(),
        actor(OrgId::Agb(provider())),
        at(2026, 12, 2),
    )
    .expect("registers")
    .0
}

#[test]
fn an_expired_offer_warns_until_its_kind_is_pursued_again_and_an_open_one_sets_the_timer() {
    use crate::continuity::{ContinuityPolicy, Rule, Situation};
    let t = in_treatment();
    let mut o = offer();
    o.trajectory_id = t.id;
    let open = [o.clone()];
    let waiting = Situation {
        trajectory: &t,
        referrals: &[],
        offers: &open,
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    assert_eq!(
        waiting.next_deadline(at(2026, 12, 3), &ContinuityPolicy::default()),
        Some(o.expires_at),
        "the timer wakes the trajectory when the offer falls due"
    );
    let system = actor(OrgId::Agb(provider()));
    o.expire(&[], &system, o.expires_at).expect("expires");
    let expired = [o.clone()];
    let now = o.expires_at;
    let s = Situation {
        trajectory: &t,
        referrals: &[],
        offers: &expired,
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    let rules: Vec<Rule> = s
        .conditions(now, &ContinuityPolicy::default())
        .iter()
        .map(|c| c.rule)
        .collect();
    assert!(rules.contains(&Rule::OfferExpired), "{rules:?}");
    let mut again = candidate(&o, org("agb:10000009"), ReferralStatus::Requested);
    again.offer = None;
    let pursued = [again];
    let s = Situation {
        trajectory: &t,
        referrals: &pursued,
        offers: &expired,
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    assert!(
        !s.conditions(now, &ContinuityPolicy::default())
            .iter()
            .any(|c| c.rule == Rule::OfferExpired),
        "a new referral of the kind clears it"
    );
}

#[test]
fn alerts_suggest_the_kinds_that_fell_through() {
    use crate::continuity::Rule;
    let o = offer();
    let rejected = candidate(&o, org("agb:10000000"), ReferralStatus::Rejected);
    let facts = vec![("kind".to_owned(), "peer_support".to_owned())];
    assert_eq!(
        suggested_kinds(Rule::OfferExpired, &facts, &[]),
        vec![ReferralKind::PeerSupport]
    );
    assert_eq!(
        suggested_kinds(
            Rule::TreatmentEndedWithoutFollowup,
            &[],
            std::slice::from_ref(&rejected)
        ),
        vec![ReferralKind::Housing],
        "the rejected kind"
    );
    assert_eq!(
        suggested_kinds(Rule::TreatmentEndedWithoutFollowup, &[], &[]).len(),
        4,
        "nothing tried: the front doors"
    );
    let mut retry = rejected.clone();
    retry.status = ReferralStatus::Requested;
    assert!(
        suggested_kinds(Rule::TreatmentEndedWithoutFollowup, &[], &[rejected, retry]).is_empty(),
        "a kind being asked again is not suggested"
    );
    assert!(suggested_kinds(Rule::ReferralUnacknowledged, &[], &[]).is_empty());
}
