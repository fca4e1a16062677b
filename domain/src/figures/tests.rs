//! Facts derived from trajectories, and the report built from them, against figures worked
//! out by hand.

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::catalog::WaitingPolicy;
use crate::ids::ReferralId;
use crate::org_id::GemeenteCode;
use crate::reason::EndReason;
use crate::referral::{ClientContact, Referral, ReferralKind, ReferralStatus, ReferrerContact};
use crate::test_support::{at, date, provider};
use crate::text::BoundedText;
use crate::trajectory::{Trajectory, TrajectoryId};

fn trajectory(municipality: &str, ended: Option<NaiveDate>) -> Trajectory {
    let mut t = Trajectory {
        id: TrajectoryId::new_at(at(2026, 1, 5)),
        client_ref: "c".parse().expect("ref"),
        treating_provider: provider(),
        municipality: GemeenteCode::parse(municipality).expect("code"),
        phase: crate::Phase::Treatment,
        started_on: date(2026, 1, 5),
        phase_since: date(2026, 1, 5),
        planned_end_on: None,
        treatment_ended_on: None,
        end_reason: None,
        closure_outcome: None,
        no_follow_up_reason: None,
        previous: None,
        readmission: false,
        version: 1,
        created_at: at(2026, 1, 5),
        updated_at: at(2026, 1, 5),
    };
    if let Some(day) = ended {
        t.phase = crate::Phase::SocialSupport;
        t.treatment_ended_on = Some(day);
        t.end_reason = Some(EndReason::PlannedCompletion);
    }
    t
}

fn referral(
    status: ReferralStatus,
    requested: DateTime<Utc>,
    decided: Option<DateTime<Utc>>,
    started: Option<NaiveDate>,
) -> Referral {
    Referral {
        id: ReferralId::new_at(requested),
        trajectory_id: TrajectoryId::new_at(requested),
        requester: provider(),
        recipient: crate::OrgId::Gemeente(GemeenteCode::parse("0268").expect("code")),
        kind: ReferralKind::Housing,
        status,
        needs: BoundedText::parse("needs", "Woonruimte", 100).expect("text"),
        requested_start_on: None,
        client: ClientContact::default(),
        referrer: ReferrerContact::default(),
        requested_at: requested,
        received_at: None,
        application_on: None,
        decided_at: decided,
        planned_start_on: None,
        started_on: started,
        ended_on: None,
        status_reason: None,
        rejection: None,
        offer: None,
        assessment_due_on: None,
        decision_due_on: None,
        version: 1,
        updated_at: decided.unwrap_or(requested),
        service: None,
    }
}

fn metrics(facts: &[Fact]) -> Vec<(Metric, i64)> {
    facts.iter().map(|f| (f.metric, f.days)).collect()
}

#[test]
fn an_ending_with_an_accepted_referral_counts_as_follow_up_and_keeps_it() {
    let mut t = trajectory("0268", None);
    let mut r = referral(
        ReferralStatus::Accepted,
        at(2026, 3, 2),
        Some(at(2026, 3, 12)),
        None,
    );
    let before = trajectory_facts(&t, std::slice::from_ref(&r), &[]);
    assert_eq!(
        metrics(&before),
        vec![
            (Metric::ReferralAccepted, 0),
            (Metric::WaitToAcceptance, 10)
        ]
    );

    t.treatment_ended_on = Some(date(2026, 3, 20));
    let ended = trajectory_facts(&t, std::slice::from_ref(&r), &before);
    assert!(ended.iter().any(|f| f.metric == Metric::EndingWithFollowUp));

    // The referral fails later: the ending still had follow-up in place at the time.
    r.status = ReferralStatus::Failed;
    let later = trajectory_facts(&t, std::slice::from_ref(&r), &ended);
    assert!(later.iter().any(|f| f.metric == Metric::EndingWithFollowUp));
    assert!(later.iter().any(|f| f.metric == Metric::ReferralFailed));
    let change = diff(&ended, &later);
    assert!(
        change
            .iter()
            .any(|(f, n)| f.metric == Metric::ReferralAccepted && *n == -1)
    );
    assert!(
        change
            .iter()
            .any(|(f, n)| f.metric == Metric::ReferralFailed && *n == 1)
    );
}

#[test]
fn an_ending_without_follow_up_stays_so_when_follow_up_comes_later() {
    let mut t = trajectory("0268", Some(date(2026, 3, 20)));
    let first = trajectory_facts(&t, &[], &[]);
    assert_eq!(metrics(&first), vec![(Metric::Ending, 0)]);
    t.phase = crate::Phase::SocialSupport;
    let r = referral(
        ReferralStatus::InProgress,
        at(2026, 3, 25),
        Some(at(2026, 4, 1)),
        Some(date(2026, 4, 10)),
    );
    let later = trajectory_facts(&t, std::slice::from_ref(&r), &first);
    assert!(!later.iter().any(|f| f.metric == Metric::EndingWithFollowUp));
    // 20 March to 10 April: 21 days without support, counted in March.
    let gap = later
        .iter()
        .find(|f| f.metric == Metric::DaysToFollowUp)
        .expect("days to follow-up");
    assert_eq!((gap.days, gap.month.yyyymm()), (21, 202603));
    assert_eq!(gap.kind, Some(ReferralKind::Housing));
}

fn row(month: i32, group: &str, metric: Metric, days: i64, count: u64) -> Aggregate {
    let mut histogram = Histogram::default();
    histogram.add(days, count);
    Aggregate {
        month: Month::from_yyyymm(month).expect("month"),
        group: group.to_owned(),
        metric,
        detail: String::new(),
        days: histogram,
    }
}

fn query(grouping: Grouping) -> ReportQuery {
    ReportQuery {
        range: PeriodRange::parse(
            Interval::Month,
            Some("2026-10"),
            Some("2026-11"),
            date(2026, 12, 2),
        )
        .expect("range"),
        grouping,
        min_clients: MIN_CLIENTS,
        norms: WaitingPolicy::default(),
    }
}

fn value<T: Copy>(cell: Cell<T>) -> Option<T> {
    match cell {
        Cell::Value(v) => Some(v),
        Cell::Suppressed | Cell::Empty => None,
    }
}

#[test]
fn shares_and_suppression_by_hand() {
    // October: Nijmegen 10 endings, 6 with follow-up; Amsterdam 3 endings, 1 with.
    // November: Nijmegen 8 endings, 8 with; Amsterdam 7 endings, 5 with.
    let rows = vec![
        row(202610, "0268", Metric::Ending, 0, 10),
        row(202610, "0268", Metric::EndingWithFollowUp, 0, 6),
        row(202610, "0363", Metric::Ending, 0, 3),
        row(202610, "0363", Metric::EndingWithFollowUp, 0, 1),
        row(202611, "0268", Metric::Ending, 0, 8),
        row(202611, "0268", Metric::EndingWithFollowUp, 0, 8),
        row(202611, "0363", Metric::Ending, 0, 7),
        row(202611, "0363", Metric::EndingWithFollowUp, 0, 5),
    ];
    let report = build(
        &query(Grouping::Municipality),
        &rows,
        &[("0268".into(), 6), ("0363".into(), 2)],
    );
    let t = |s: &Series, slot: Option<usize>| {
        let f = slot.map_or(&s.whole_range, |i| &s.periods[i]);
        f.trajectories.clone().expect("trajectory figures")
    };
    let total = &report.total;
    let nijmegen = &report.groups[0];
    let amsterdam = &report.groups[1];
    assert_eq!(nijmegen.group.as_deref(), Some("0268"));
    // Totals: October 13 endings, 7 with follow-up; November 15, 13; the range 28, 20.
    assert_eq!(value(t(total, Some(0)).endings), Some(13));
    assert_eq!(value(t(total, None).endings), Some(28));
    assert_eq!(
        value(t(total, None).share_with_follow_up),
        Some(20.0 / 28.0)
    );
    // Amsterdam's 3 October endings are withheld, and so is a second cell of each line
    // they sit in, the smallest: Nijmegen's October (else 13 - 10) and Amsterdam's
    // November (else 10 - 3 - ...: 7 < 10), which in turn takes Nijmegen's November.
    // Four unknowns, three equations: none can be worked out.
    assert_eq!(t(amsterdam, Some(0)).endings, Cell::Suppressed);
    assert_eq!(t(nijmegen, Some(0)).endings, Cell::Suppressed);
    assert_eq!(t(amsterdam, Some(1)).endings, Cell::Suppressed);
    assert_eq!(t(nijmegen, Some(1)).endings, Cell::Suppressed);
    assert_eq!(value(t(amsterdam, None).endings), Some(10));
    assert_eq!(value(t(nijmegen, None).endings), Some(18));
    assert_eq!(value(t(total, Some(1)).endings), Some(15));
    // Shares rest on those counts: hidden with them, shown for the range (14 of 18).
    assert_eq!(t(nijmegen, Some(1)).share_with_follow_up, Cell::Suppressed);
    assert_eq!(
        value(t(nijmegen, None).share_with_follow_up),
        Some(14.0 / 18.0)
    );
    // No follow-up needed: zero everywhere, and a zero is shown.
    assert_eq!(
        t(amsterdam, Some(0)).endings_no_follow_up_needed,
        Cell::Value(0)
    );
    // Open gaps: Amsterdam's 2 withheld, and with it Nijmegen's (else 8 - 6).
    assert_eq!(report.open_gaps.total, Cell::Value(8));
    assert!(
        report
            .open_gaps
            .groups
            .iter()
            .all(|(_, c)| *c == Cell::Suppressed)
    );
}

#[test]
fn waiting_times_per_kind_against_the_norm() {
    let mut rows: Vec<Aggregate> = [3, 4, 5, 6, 40]
        .iter()
        .map(|d| row(202611, "housing", Metric::WaitToAcceptance, *d, 1))
        .collect();
    rows.push(row(202611, "", Metric::Ending, 0, 9));
    let report = build(&query(Grouping::Kind), &rows, &[]);
    let housing = &report.groups[0];
    assert_eq!(housing.group.as_deref(), Some("housing"));
    assert!(housing.whole_range.trajectories.is_none());
    let wait = &housing.periods[1].referrals.to_acceptance;
    assert_eq!(value(wait.median_days), Some(5.0));
    assert_eq!(wait.within_norm.and_then(value), Some(0.8));
    assert_eq!(
        report
            .total
            .whole_range
            .trajectories
            .as_ref()
            .and_then(|t| value(t.endings)),
        Some(9)
    );
}
