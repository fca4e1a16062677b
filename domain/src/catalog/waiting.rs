//! Waiting times measured from real handoffs: for one service (or recipient), how many
//! days people waited from request to acceptance (the aanmeldwachttijd counterpart) and
//! from acceptance to start (the behandelwachttijd counterpart), over a rolling window,
//! against the Treeknorm. Fewer than [`MIN_MEASURED`] handoffs give no figure at all, so
//! no figure can point at one client.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Below this many handoffs a figure is suppressed ("insufficient data").
pub const MIN_MEASURED: usize = 5;

/// The window and norms the figures are held to (configurable defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingPolicy {
    /// Days back from now that count: 61, like the two months of the NZa/Vektis publication.
    pub window_days: u32,
    /// Treeknorm, registration to intake: 4 weeks.
    pub to_acceptance_norm_days: u32,
    /// Treeknorm, intake to start of treatment: 10 weeks.
    pub to_start_norm_days: u32,
    /// Treeknorm in total: 14 weeks.
    pub total_norm_days: u32,
}

impl Default for WaitingPolicy {
    fn default() -> Self {
        Self {
            window_days: 61,
            to_acceptance_norm_days: 28,
            to_start_norm_days: 70,
            total_norm_days: 98,
        }
    }
}

/// What one referral tells about waiting: when it was asked, accepted and started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handoff {
    pub requested_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub started_on: Option<NaiveDate>,
}

/// One measured interval over the window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub median_days: f64,
    pub p80_days: f64,
    pub measured: usize,
    /// The share of the measured handoffs within the norm, 0 to 1.
    pub within_norm: f64,
    pub median_breaks_norm: bool,
}

/// A figure, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measured {
    Figure(Figure),
    /// Fewer than [`MIN_MEASURED`] handoffs in the window: no figure is shown.
    InsufficientData,
}

/// The three intervals of one service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitingTimes {
    pub to_acceptance: Measured,
    pub to_start: Measured,
    pub total: Measured,
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// The `q`-quantile (0..=1) of sorted `values`, interpolated linearly between the closest
/// ranks (the common "type 7" definition, as PostgreSQL's `percentile_cont`).
fn quantile(sorted: &[i64], q: f64) -> f64 {
    match sorted {
        [] => 0.0,
        [only] => *only as f64,
        _ => {
            let position = q * (sorted.len() - 1) as f64;
            let below = position.floor() as usize;
            let above = position.ceil() as usize;
            let fraction = position - below as f64;
            sorted[below] as f64 + (sorted[above] - sorted[below]) as f64 * fraction
        }
    }
}

fn figure(mut days: Vec<i64>, norm: u32) -> Measured {
    if days.len() < MIN_MEASURED {
        return Measured::InsufficientData;
    }
    days.sort_unstable();
    let within = days.iter().filter(|d| **d <= i64::from(norm)).count();
    let median = quantile(&days, 0.5);
    Measured::Figure(Figure {
        median_days: median,
        p80_days: quantile(&days, 0.8),
        measured: days.len(),
        within_norm: within as f64 / days.len() as f64,
        median_breaks_norm: median > f64::from(norm),
    })
}

/// The waiting times of `handoffs` at `now`. An interval counts when it ended inside the
/// window (acceptance, or start, on or after `now - window_days`, and not in the future),
/// so the figures describe who got an answer or a start recently, as published figures do.
pub fn waiting_times(
    handoffs: &[Handoff],
    now: DateTime<Utc>,
    policy: &WaitingPolicy,
) -> WaitingTimes {
    let today = now.date_naive();
    let since = (now - Duration::days(i64::from(policy.window_days))).date_naive();
    let in_window = |day: NaiveDate| day >= since && day <= today;
    let mut to_acceptance = Vec::new();
    let mut to_start = Vec::new();
    let mut total = Vec::new();
    for h in handoffs {
        let requested = h.requested_at.date_naive();
        let Some(accepted) = h.accepted_at.map(|a| a.date_naive()) else {
            continue;
        };
        if accepted < requested {
            continue;
        }
        if in_window(accepted) {
            to_acceptance.push(days_between(requested, accepted));
        }
        if let Some(started) = h.started_on
            && started >= accepted
            && in_window(started)
        {
            to_start.push(days_between(accepted, started));
            total.push(days_between(requested, started));
        }
    }
    WaitingTimes {
        to_acceptance: figure(to_acceptance, policy.to_acceptance_norm_days),
        to_start: figure(to_start, policy.to_start_norm_days),
        total: figure(total, policy.total_norm_days),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .map(|t| t.and_utc())
            .expect("date")
    }

    fn handoff(requested: DateTime<Utc>, waited: i64, started_after: Option<i64>) -> Handoff {
        let accepted = requested + Duration::days(waited);
        Handoff {
            requested_at: requested,
            accepted_at: Some(accepted),
            started_on: started_after.map(|d| (accepted + Duration::days(d)).date_naive()),
        }
    }

    fn now() -> DateTime<Utc> {
        at(2026, 12, 1)
    }

    fn figure_of(m: Measured) -> Figure {
        match m {
            Measured::Figure(f) => f,
            Measured::InsufficientData => panic!("expected a figure"),
        }
    }

    #[test]
    fn four_handoffs_give_no_figure_and_five_do() {
        let policy = WaitingPolicy::default();
        let mut handoffs: Vec<Handoff> = (0..4)
            .map(|i| handoff(at(2026, 11, 1), 3 + i, None))
            .collect();
        assert_eq!(
            waiting_times(&handoffs, now(), &policy).to_acceptance,
            Measured::InsufficientData
        );
        handoffs.push(handoff(at(2026, 11, 1), 10, None));
        let f = figure_of(waiting_times(&handoffs, now(), &policy).to_acceptance);
        // 3, 4, 5, 6, 10 days.
        assert_eq!(f.measured, 5);
        assert_eq!(f.median_days, 5.0);
        assert!((f.p80_days - 6.8).abs() < 1e-9, "{}", f.p80_days);
        assert_eq!(f.within_norm, 1.0);
        assert!(!f.median_breaks_norm);
    }

    #[test]
    fn the_window_edge_counts_and_the_day_before_does_not() {
        let policy = WaitingPolicy::default();
        // Accepted exactly 61 days before now: inside; 62 days before: outside.
        let edge = now() - Duration::days(61);
        let inside: Vec<Handoff> = (0..5)
            .map(|_| handoff(edge - Duration::days(7), 7, None))
            .collect();
        assert_eq!(
            figure_of(waiting_times(&inside, now(), &policy).to_acceptance).measured,
            5
        );
        let outside: Vec<Handoff> = (0..5)
            .map(|_| handoff(edge - Duration::days(8), 7, None))
            .collect();
        let outside: Vec<Handoff> = outside
            .into_iter()
            .map(|h| Handoff {
                accepted_at: h.accepted_at.map(|a| a - Duration::days(1)),
                ..h
            })
            .collect();
        assert_eq!(
            waiting_times(&outside, now(), &policy).to_acceptance,
            Measured::InsufficientData
        );
    }

    #[test]
    fn a_median_past_the_treeknorm_is_flagged() {
        let policy = WaitingPolicy::default();
        let handoffs: Vec<Handoff> = [20, 30, 35, 40, 60]
            .iter()
            .map(|w| handoff(at(2026, 9, 15), *w, Some(14)))
            .collect();
        let times = waiting_times(&handoffs, now(), &policy);
        let acceptance = figure_of(times.to_acceptance);
        assert_eq!(acceptance.median_days, 35.0);
        assert!(acceptance.median_breaks_norm, "35 days > 4 weeks");
        assert_eq!(acceptance.within_norm, 0.2);
        let start = figure_of(times.to_start);
        assert_eq!(start.median_days, 14.0);
        assert!(!start.median_breaks_norm);
        assert_eq!(figure_of(times.total).median_days, 49.0);
    }

    #[test]
    fn unanswered_and_unstarted_referrals_are_not_measured() {
        let policy = WaitingPolicy::default();
        let open = Handoff {
            requested_at: at(2026, 11, 1),
            accepted_at: None,
            started_on: None,
        };
        let handoffs = vec![open; 10];
        let times = waiting_times(&handoffs, now(), &policy);
        assert_eq!(times.to_acceptance, Measured::InsufficientData);
        assert_eq!(times.to_start, Measured::InsufficientData);
    }

    proptest! {
        #[test]
        fn figures_are_ordered_and_bounded(waits in proptest::collection::vec(0i64..200, 0..40)) {
            let handoffs: Vec<Handoff> = waits
                .iter()
                .map(|w| handoff(now() - Duration::days(*w) - Duration::days(1), *w, None))
                .collect();
            match waiting_times(&handoffs, now(), &WaitingPolicy::default()).to_acceptance {
                // Every handoff was accepted yesterday: all inside the window.
                Measured::InsufficientData => prop_assert!(handoffs.len() < MIN_MEASURED),
                Measured::Figure(f) => {
                    prop_assert!(f.measured >= MIN_MEASURED);
                    prop_assert!(f.median_days <= f.p80_days);
                    prop_assert!((0.0..=1.0).contains(&f.within_norm));
                    let max = *waits.iter().max().unwrap_or(&0) as f64;
                    prop_assert!(f.p80_days <= max);
                }
            }
        }
    }
}
