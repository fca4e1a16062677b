//! Facts derived from trajectories, and the report built from them, against figures worked
//! out by hand.

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::catalog::WaitingPolicy;
use crate::figures::rounding::{self, FineCell};
use crate::kernel::ids::ReferralId;
use crate::kernel::org_id::GemeenteCode;
use crate::kernel::text::BoundedText;
use crate::referral::{ClientContact, Referral, ReferralKind, ReferralStatus, ReferrerContact};
use crate::test_support::{at, date, provider};
use crate::trajectory::reason::EndReason;
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
        needs: Some(BoundedText::parse("needs", "Woonruimte", 100).expect("text")),
        life_domains: Vec::new(),
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

fn cell(municipality: &str, kind: &str) -> FineCell {
    FineCell {
        municipality: municipality.to_owned(),
        provider: "agb:12345678".to_owned(),
        kind: kind.to_owned(),
        service: String::new(),
    }
}

fn row(month: i32, at: FineCell, metric: Metric, days: i64, count: u64) -> Aggregate {
    let mut histogram = Histogram::default();
    histogram.add(days, count);
    Aggregate {
        month: Month::from_yyyymm(month).expect("month"),
        cell: at,
        metric,
        detail: String::new(),
        days: histogram,
    }
}

fn query(grouping: Grouping) -> ReportQuery {
    query_over(grouping, Interval::Month, "2026-10", "2026-11")
}

fn query_over(grouping: Grouping, interval: Interval, from: &str, to: &str) -> ReportQuery {
    ReportQuery {
        range: PeriodRange::parse(interval, Some(from), Some(to), date(2026, 12, 2))
            .expect("range"),
        grouping,
        norms: WaitingPolicy::default(),
    }
}

fn value<T: Copy>(cell: Cell<T>) -> Option<T> {
    match cell {
        Cell::Value(v) => Some(v),
        Cell::Suppressed | Cell::Empty => None,
    }
}

/// A keyed draw for tests: FNV-1a of the key and the identity, its high 32 bits.
fn keyed(key: u64) -> impl Fn(&str) -> u32 {
    move |identity: &str| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ key;
        for byte in identity.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        (hash >> 32) as u32
    }
}

/// Rounds every count down (the highest draw) or up (the lowest), to check sums by hand.
fn always(draw: u32) -> impl Fn(&str) -> u32 {
    move |_: &str| draw
}

#[test]
fn counts_are_sums_of_rounded_cells_by_hand() {
    // October: Nijmegen 10 endings, 6 with follow-up; Amsterdam 3 endings, 1 with.
    // November: Nijmegen 8 endings, 8 with; Amsterdam 7 endings, 5 with.
    let nijmegen_cell = cell("gemeente:0268", "");
    let amsterdam_cell = cell("gemeente:0363", "");
    let rows = vec![
        row(202610, nijmegen_cell.clone(), Metric::Ending, 0, 10),
        row(
            202610,
            nijmegen_cell.clone(),
            Metric::EndingWithFollowUp,
            0,
            6,
        ),
        row(202610, amsterdam_cell.clone(), Metric::Ending, 0, 3),
        row(
            202610,
            amsterdam_cell.clone(),
            Metric::EndingWithFollowUp,
            0,
            1,
        ),
        row(202611, nijmegen_cell.clone(), Metric::Ending, 0, 8),
        row(
            202611,
            nijmegen_cell.clone(),
            Metric::EndingWithFollowUp,
            0,
            8,
        ),
        row(202611, amsterdam_cell.clone(), Metric::Ending, 0, 7),
        row(
            202611,
            amsterdam_cell.clone(),
            Metric::EndingWithFollowUp,
            0,
            5,
        ),
    ];
    let gaps = [(nijmegen_cell, 6), (amsterdam_cell, 2)];
    let t = |s: &Series, slot: Option<usize>| {
        let f = slot.map_or(&s.whole_range, |i| &s.periods[i]);
        f.trajectories.clone().expect("trajectory figures")
    };
    // Every rest rounded down: 10, 5 | 0, 0 || 5, 5 | 5, 5.
    let down = build(
        &query(Grouping::Municipality),
        &rows,
        &gaps,
        &always(u32::MAX),
    );
    let (total, nijmegen, amsterdam) = (&down.total, &down.groups[0], &down.groups[1]);
    assert_eq!(nijmegen.group.as_deref(), Some("gemeente:0268"));
    assert_eq!(value(t(amsterdam, Some(0)).endings), Some(0));
    assert_eq!(value(t(nijmegen, Some(0)).endings), Some(10));
    assert_eq!(value(t(total, Some(0)).endings), Some(10));
    assert_eq!(value(t(total, Some(1)).endings), Some(10));
    assert_eq!(value(t(total, None).endings), Some(20), "periods add up");
    assert_eq!(value(t(nijmegen, None).endings), Some(15));
    assert_eq!(value(t(amsterdam, None).endings), Some(5), "groups add up");
    assert_eq!(value(t(total, None).share_with_follow_up), Some(0.75));
    assert_eq!(
        t(amsterdam, None).share_with_follow_up,
        Cell::Suppressed,
        "below 10"
    );
    assert_eq!(down.open_gaps.total, Cell::Value(5));
    // Every rest rounded up: 10, 10 | 5, 5 || 10, 10 | 10, 5.
    let up = build(&query(Grouping::Municipality), &rows, &gaps, &always(0));
    assert_eq!(value(t(&up.total, None).endings), Some(35));
    assert_eq!(value(t(&up.groups[1], Some(0)).endings), Some(5));
    assert_eq!(up.open_gaps.total, Cell::Value(15));
    // A zero stays a zero.
    assert_eq!(
        t(&up.groups[1], Some(0)).endings_no_follow_up_needed,
        Cell::Value(0)
    );
}

#[test]
fn waiting_times_per_kind_against_the_norm() {
    // The store hands one row per month, cell, figure and detail, durations as a histogram.
    let waits = |days: &[i64]| {
        let mut r = row(
            202611,
            cell("gemeente:0268", "housing"),
            Metric::WaitToAcceptance,
            0,
            0,
        );
        r.days = Histogram::default();
        for d in days {
            r.days.add(*d, 1);
        }
        r
    };
    let rows = vec![
        waits(&[3, 4, 5, 6, 40, 5, 5, 5, 5, 5]),
        row(202611, cell("gemeente:0268", ""), Metric::Ending, 0, 10),
    ];
    let report = build(&query(Grouping::Kind), &rows, &[], &always(u32::MAX));
    let housing = &report.groups[0];
    assert_eq!(housing.group.as_deref(), Some("housing"));
    assert!(housing.whole_range.trajectories.is_none());
    let wait = &housing.periods[1].referrals.to_acceptance;
    // Ten measurements in one cell: 10 rounded, enough for the statistics.
    assert_eq!(wait.measured, Cell::Value(10));
    assert_eq!(value(wait.median_days), Some(5.0));
    assert_eq!(wait.within_norm.and_then(value), Some(0.9));
    assert_eq!(
        report
            .total
            .whole_range
            .trajectories
            .as_ref()
            .and_then(|t| value(t.endings)),
        Some(10)
    );
    // Nine measurements rounded down to 5: no median.
    let nine = build(
        &query(Grouping::Kind),
        &[waits(&[3, 4, 5, 6, 40, 5, 5, 5, 5])],
        &[],
        &always(u32::MAX),
    );
    assert_eq!(
        nine.groups[0].periods[1]
            .referrals
            .to_acceptance
            .median_days,
        Cell::Suppressed
    );
}

/// The facts of a random small population: per month, municipality and provider, the
/// endings and their parts, dropouts and gap alerts per rule.
fn population(counts: &[u64]) -> Vec<Aggregate> {
    let months = [202607, 202608, 202609, 202610];
    let municipalities = ["gemeente:0268", "gemeente:0363"];
    let providers = ["agb:12345678", "agb:87654321"];
    let metrics = [
        (Metric::Ending, ""),
        (Metric::EndingWithFollowUp, ""),
        (Metric::EndingNoFollowUpNeeded, ""),
        (Metric::Dropout, ""),
        (Metric::AlertOpened, "treatment_ended_without_followup"),
        (Metric::AlertOpened, "dropout_without_outreach"),
        (Metric::ReferralAccepted, ""),
    ];
    let mut rows = Vec::new();
    let mut n = counts.iter().cycle();
    for month in months {
        for municipality in municipalities {
            for provider in providers {
                for (metric, detail) in metrics {
                    let count = *n.next().unwrap_or(&0);
                    if count == 0 {
                        continue;
                    }
                    let mut days = Histogram::default();
                    days.add(0, count);
                    rows.push(Aggregate {
                        month: Month::from_yyyymm(month).expect("month"),
                        cell: FineCell {
                            municipality: municipality.to_owned(),
                            provider: provider.to_owned(),
                            kind: if metric == Metric::ReferralAccepted {
                                "housing".to_owned()
                            } else {
                                String::new()
                            },
                            service: String::new(),
                        },
                        metric,
                        detail: detail.to_owned(),
                        days,
                    });
                }
            }
        }
    }
    rows
}

/// Every answer an attacker can ask of one population: ranges that share their start,
/// months and quarters, and every grouping.
fn every_answer(rows: &[Aggregate], draw: &dyn Fn(&str) -> u32) -> Vec<Report> {
    let mut answers = Vec::new();
    for grouping in Grouping::ALL {
        for (interval, from, to) in [
            (Interval::Month, "2026-07", "2026-07"),
            (Interval::Month, "2026-07", "2026-08"),
            (Interval::Month, "2026-07", "2026-10"),
            (Interval::Month, "2026-08", "2026-10"),
            (Interval::Quarter, "2026-Q3", "2026-Q3"),
            (Interval::Quarter, "2026-Q3", "2026-Q4"),
        ] {
            answers.push(build(
                &query_over(*grouping, interval, from, to),
                rows,
                &[],
                draw,
            ));
        }
    }
    answers
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Indistinguishability: change any one cell's true count to another count that
    /// rounds the same, and every answer (every range, interval and grouping, with all
    /// their totals and parts) stays the same to the bit. So no combination of answers,
    /// by differencing or otherwise, can tell the two counts apart: a cell's count is
    /// never recovered exactly.
    #[test]
    fn no_combination_of_answers_pins_a_cell(
        counts in proptest::collection::vec(0u64..7, 112),
        key: u64,
        pick: proptest::sample::Index,
    ) {
        let draw = keyed(key);
        let rows = population(&counts);
        proptest::prop_assume!(!rows.is_empty());
        let at = pick.index(rows.len());
        let target = &rows[at];
        let true_count = target.days.count();
        let identity = target.cell.identity(target.month.yyyymm(), target.metric.as_str(), &target.detail);
        let rounded = rounding::round(true_count, draw(&identity));
        let twin = (0..=true_count + 9)
            .filter(|c| *c != true_count && rounding::round(*c, draw(&identity)) == rounded)
            .max()
            .expect("every rounded value of a count above 0 has another source");
        let mut other = rows.clone();
        let mut days = Histogram::default();
        days.add(0, twin);
        other[at].days = days;
        proptest::prop_assert_eq!(every_answer(&rows, &draw), every_answer(&other, &draw));
    }

    /// The attacks of issue 29, done as an attacker would, never give a small count: two
    /// ranges that share their start (A+B minus A), a total minus its groups, two
    /// groupings of one population, and within one answer endings minus their parts.
    #[test]
    fn the_differencing_attacks_recover_no_small_count(
        counts in proptest::collection::vec(0u64..7, 112),
        key: u64,
    ) {
        let draw = keyed(key);
        let rows = population(&counts);
        let ending = |r: &Report, slot: Option<usize>, group: Option<usize>| {
            let series = group.map_or(&r.total, |g| &r.groups[g]);
            let f = slot.map_or(&series.whole_range, |s| &series.periods[s]);
            f.trajectories.as_ref().map(|t| (value(t.endings), value(t.endings_with_follow_up), value(t.endings_no_follow_up_needed), value(t.gap_alerts), value(t.dropouts)))
        };
        let a = build(&query_over(Grouping::Municipality, Interval::Month, "2026-07", "2026-07"), &rows, &[], &draw);
        let ab = build(&query_over(Grouping::Municipality, Interval::Month, "2026-07", "2026-08"), &rows, &[], &draw);
        let by_provider = build(&query_over(Grouping::Provider, Interval::Month, "2026-07", "2026-08"), &rows, &[], &draw);
        let mut derived: Vec<i64> = Vec::new();
        if let (Some((Some(x), ..)), Some((Some(y), ..))) = (ending(&ab, None, None), ending(&a, None, None)) {
            derived.push(x as i64 - y as i64);
        }
        for g in 0..ab.groups.len() {
            if let (Some((Some(t), ..)), Some((Some(p), ..))) = (ending(&ab, None, None), ending(&ab, None, Some(g))) {
                derived.push(t as i64 - p as i64);
            }
        }
        for g in 0..by_provider.groups.len() {
            if let (Some((Some(t), ..)), Some((Some(p), ..))) = (ending(&ab, None, None), ending(&by_provider, None, Some(g))) {
                derived.push(t as i64 - p as i64);
            }
        }
        if let Some((Some(e), Some(w), Some(n), Some(gaps), Some(d))) = ending(&ab, Some(1), None) {
            derived.push(e as i64 - w as i64 - n as i64);
            derived.push(gaps as i64 - d as i64);
        }
        for x in derived {
            proptest::prop_assert!(x.rem_euclid(5) == 0, "every derived count is a multiple of 5: {}", x);
            proptest::prop_assert!(!(1..5).contains(&x));
        }
    }
}
