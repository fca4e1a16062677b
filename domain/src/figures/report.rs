//! The figures report: facts per month and finest cell, rounded (see `rounding`), turned
//! into counts, shares and durations per period and group.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::catalog::WaitingPolicy;
use crate::continuity::Rule;
use crate::figures::fact::Metric;
use crate::figures::histogram::Histogram;
use crate::figures::period::{Month, Period, PeriodRange};
use crate::figures::rounding::{self, FineCell, STATISTIC_MIN};
use crate::referral::RejectionReason;

string_enum! {
    /// What the figures are split by.
    pub enum Grouping ("grouping") {
        /// The client's municipality of residence.
        Municipality => "municipality",
        /// The treating provider.
        Provider => "provider",
        /// The kind of follow-up (trajectory-wide figures only in the total).
        Kind => "kind",
        /// The catalog service referred to (trajectory-wide figures only in the total).
        Service => "service",
    }
}

impl Grouping {
    /// Whether facts of `metric` split over this grouping's groups.
    const fn splits(self, metric: Metric) -> bool {
        match self {
            Grouping::Municipality | Grouping::Provider => true,
            Grouping::Kind | Grouping::Service => !metric.is_trajectory_level(),
        }
    }
}

/// The group key of referral facts without a catalog service, grouped by service.
pub const NO_SERVICE: &str = "none";

/// Summed facts of one month, finest cell, metric and detail, as the store returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    pub month: Month,
    /// Municipality code, AGB code, kind and service id; empty where a fact has none (a
    /// trajectory-wide fact has no kind, a referral without a service none).
    pub cell: FineCell,
    pub metric: Metric,
    pub detail: String,
    /// The facts by their days (all at 0 for plain counts).
    pub days: Histogram,
}

/// What is asked.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub range: PeriodRange,
    pub grouping: Grouping,
    pub norms: WaitingPolicy,
}

/// A figure, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<T> {
    Value(T),
    /// A statistic over fewer than [`STATISTIC_MIN`] (rounded) measurements.
    Suppressed,
    /// Nothing to compute (a share of no endings that needed follow-up).
    Empty,
}

/// Durations: how many were measured, median, 80th percentile, share within the norm.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub measured: Cell<u64>,
    pub median_days: Cell<f64>,
    pub p80_days: Cell<f64>,
    pub within_norm: Option<Cell<f64>>,
    pub norm_days: Option<u32>,
}

/// Figures about trajectories as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryFigures {
    pub endings: Cell<u64>,
    pub endings_with_follow_up: Cell<u64>,
    pub endings_no_follow_up_needed: Cell<u64>,
    /// Of all endings, the share that had follow-up accepted at the moment of ending.
    pub share_with_follow_up: Cell<f64>,
    pub gap_alerts: Cell<u64>,
    pub gaps_closed: Cell<u64>,
    pub mean_days_to_close_gap: Cell<f64>,
    pub alerts_opened: Vec<(Rule, Cell<u64>)>,
    pub escalations: Vec<(Rule, Cell<u64>)>,
    pub dropouts: Cell<u64>,
    pub readmissions: Cell<u64>,
}

/// Figures about referrals and follow-up.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralFigures {
    pub accepted: Cell<u64>,
    pub rejected: Vec<(&'static str, Cell<u64>)>,
    pub failed: Cell<u64>,
    pub cancelled: Cell<u64>,
    pub days_to_follow_up: Distribution,
    pub to_acceptance: Distribution,
    pub to_start: Distribution,
    pub total_wait: Distribution,
}

/// The figures of one period (or the whole range) for one group (or all).
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Absent for groups of a kind or service: trajectory-wide figures do not split so.
    pub trajectories: Option<TrajectoryFigures>,
    pub referrals: ReferralFigures,
}

/// One group (or the total) over the range.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `None` for the total.
    pub group: Option<String>,
    pub periods: Vec<Figures>,
    pub whole_range: Figures,
}

/// Gap alerts open now.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenGaps {
    pub total: Cell<u64>,
    /// Empty for groupings by kind or service.
    pub groups: Vec<(String, Cell<u64>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub periods: Vec<Period>,
    pub total: Series,
    pub groups: Vec<Series>,
    pub open_gaps: OpenGaps,
}

/// A countable figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Count {
    Of(Metric),
    Detail(Metric, &'static str),
    GapAlerts,
}

const REJECTION_DETAILS: &[&str] = &[
    RejectionReason::NAMES[0],
    RejectionReason::NAMES[1],
    RejectionReason::NAMES[2],
    RejectionReason::NAMES[3],
    RejectionReason::NAMES[4],
    "unspecified",
];

const _: () = assert!(RejectionReason::NAMES.len() == 5);

fn gap_rules() -> impl Iterator<Item = Rule> {
    Rule::ALL.iter().copied().filter(|r| r.is_gap())
}

/// The histograms (true durations) and rounded counts of one series and slot, by metric
/// and detail (nested, so a lookup by `&str` allocates nothing).
type Slot = HashMap<Metric, HashMap<String, (Histogram, u64)>>;

struct Collected {
    /// Per series (0 the total, then the groups in order), per slot (the periods, then the
    /// whole range).
    slots: Vec<Vec<Slot>>,
}

impl Collected {
    fn histogram(
        &self,
        series: usize,
        slot: usize,
        metric: Metric,
        detail: &str,
    ) -> Option<&Histogram> {
        self.slots[series][slot]
            .get(&metric)?
            .get(detail)
            .map(|(h, _)| h)
    }

    /// The sum of the rounded finest cells.
    fn count(&self, series: usize, slot: usize, count: Count) -> u64 {
        let of = |metric: Metric, detail: &str| {
            self.slots[series][slot]
                .get(&metric)
                .and_then(|d| d.get(detail))
                .map_or(0, |(_, rounded)| *rounded)
        };
        match count {
            Count::Of(metric) => of(metric, ""),
            Count::Detail(metric, detail) => of(metric, detail),
            Count::GapAlerts => gap_rules()
                .map(|r| of(Metric::AlertOpened, r.as_str()))
                .sum(),
        }
    }
}

fn group_key(grouping: Grouping, cell: &FineCell) -> String {
    let value = match grouping {
        Grouping::Municipality => &cell.municipality,
        Grouping::Provider => &cell.provider,
        Grouping::Kind => &cell.kind,
        Grouping::Service => &cell.service,
    };
    if grouping == Grouping::Service && value.is_empty() {
        NO_SERVICE.to_owned()
    } else {
        value.clone()
    }
}

/// The rounded count and true durations of one month, group, figure and detail: the sum
/// of the rounded finest cells in that group, as `build` adds them or as the store keeps
/// them ready (`group` is empty for the total).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupAggregate {
    pub month: Month,
    pub group: String,
    pub metric: Metric,
    pub detail: String,
    /// The true durations, for the statistics.
    pub days: Histogram,
    /// The sum of the rounded cells.
    pub rounded: u64,
}

/// Every grouping's value of a finest cell: what the store keeps rollups by.
pub fn group_value(grouping: Grouping, cell: &FineCell) -> String {
    group_key(grouping, cell)
}

/// Builds the report from the store's finest cells and the open gap alerts per
/// municipality and provider; `draw` is the keyed draw of a cell's identity (see
/// `rounding`). Rounds every cell, adds them up per group and for the total, and builds
/// from those sums (as [`build_grouped`] does from sums the store keeps).
pub fn build(
    query: &ReportQuery,
    rows: &[Aggregate],
    open_gaps: &[(FineCell, u64)],
    draw: &dyn Fn(&str) -> u32,
) -> Report {
    let mut sums: BTreeMap<(bool, i32, String, Metric, String), GroupAggregate> = BTreeMap::new();
    for row in rows {
        let identity = row
            .cell
            .identity(row.month.yyyymm(), row.metric.as_str(), &row.detail);
        let rounded = rounding::round(row.days.count(), draw(&identity));
        let mut targets = vec![(true, String::new())];
        if query.grouping.splits(row.metric) {
            targets.push((false, group_key(query.grouping, &row.cell)));
        }
        for (total, group) in targets {
            let key = (
                total,
                row.month.yyyymm(),
                group.clone(),
                row.metric,
                row.detail.clone(),
            );
            let sum = sums.entry(key).or_insert_with(|| GroupAggregate {
                month: row.month,
                group,
                metric: row.metric,
                detail: row.detail.clone(),
                days: Histogram::default(),
                rounded: 0,
            });
            sum.days.merge(&row.days);
            sum.rounded += rounded;
        }
    }
    let (totals, groups): (Vec<_>, Vec<_>) = sums.into_iter().partition(|((t, ..), _)| *t);
    build_grouped(
        query,
        &totals.into_iter().map(|(_, g)| g).collect::<Vec<_>>(),
        &groups.into_iter().map(|(_, g)| g).collect::<Vec<_>>(),
        open_gaps,
        draw,
    )
}

/// Builds the report from sums of rounded cells: `totals` over everything in scope,
/// `groups` per value of the query's grouping (figures the grouping does not split
/// count in the total only).
pub fn build_grouped(
    query: &ReportQuery,
    totals: &[GroupAggregate],
    groups_rows: &[GroupAggregate],
    open_gaps: &[(FineCell, u64)],
    draw: &dyn Fn(&str) -> u32,
) -> Report {
    let periods = query.range.periods();
    let whole = periods.len();
    // A group is listed when a count in it is: its presence must say no more than the
    // rounded cells (listing a group of zeros would tell that someone is in it).
    let groups: Vec<String> = groups_rows
        .iter()
        .filter(|r| query.grouping.splits(r.metric) && r.rounded > 0)
        .map(|r| r.group.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i + 1))
        .collect();
    let mut collected = Collected {
        slots: vec![vec![Slot::new(); whole + 1]; groups.len() + 1],
    };
    let rows = totals.iter().map(|r| (0, r)).chain(
        groups_rows
            .iter()
            .filter(|r| query.grouping.splits(r.metric))
            .filter_map(|r| index.get(r.group.as_str()).map(|i| (*i, r))),
    );
    for (series, row) in rows {
        let period = Period::of_month(query.range.interval, row.month);
        let Some(slot) = periods.iter().position(|p| *p == period) else {
            continue;
        };
        for at in [slot, whole] {
            let details = collected.slots[series][at].entry(row.metric).or_default();
            match details.get_mut(row.detail.as_str()) {
                Some((histogram, sum)) => {
                    histogram.merge(&row.days);
                    *sum += row.rounded;
                }
                None => {
                    details.insert(row.detail.clone(), (row.days.clone(), row.rounded));
                }
            }
        }
    }
    let view = View {
        query,
        collected: &collected,
    };
    let series_of = |series: usize| -> Series {
        Series {
            group: series.checked_sub(1).map(|i| groups[i].clone()),
            periods: (0..whole).map(|slot| view.figures(series, slot)).collect(),
            whole_range: view.figures(series, whole),
        }
    };
    Report {
        periods,
        total: series_of(0),
        groups: (1..groups.len() + 1).map(series_of).collect(),
        open_gaps: open_gap_cells(query, open_gaps, draw),
    }
}

/// Open gap alerts now: each municipality-and-provider cell rounded, then summed.
fn open_gap_cells(
    query: &ReportQuery,
    open_gaps: &[(FineCell, u64)],
    draw: &dyn Fn(&str) -> u32,
) -> OpenGaps {
    let split = query.grouping.splits(Metric::Ending);
    let mut total = 0;
    let mut groups: BTreeMap<String, u64> = BTreeMap::new();
    for (cell, n) in open_gaps {
        let rounded = rounding::round(*n, draw(&cell.identity(0, "open_gaps", "")));
        total += rounded;
        if split {
            *groups.entry(group_key(query.grouping, cell)).or_default() += rounded;
        }
    }
    OpenGaps {
        total: Cell::Value(total),
        groups: groups
            .into_iter()
            .map(|(g, n)| (g, Cell::Value(n)))
            .collect(),
    }
}

struct View<'a> {
    query: &'a ReportQuery,
    collected: &'a Collected,
}

impl View<'_> {
    /// A count: always shown, as the sum of rounded cells.
    fn count(&self, series: usize, slot: usize, count: Count) -> Cell<u64> {
        Cell::Value(self.collected.count(series, slot, count))
    }

    fn distribution(
        &self,
        series: usize,
        slot: usize,
        metric: Metric,
        norm: Option<u32>,
    ) -> Distribution {
        let empty = Histogram::default();
        let histogram = self
            .collected
            .histogram(series, slot, metric, "")
            .unwrap_or(&empty);
        // A median is built from every duration measured, shown when the rounded count
        // of measurements reaches the minimum (a gate on the true count would tell it).
        let enough = self.collected.count(series, slot, Count::Of(metric)) >= STATISTIC_MIN;
        let shown = |value: Option<f64>| match value {
            Some(v) if enough => Cell::Value(v),
            Some(_) => Cell::Suppressed,
            None => Cell::Empty,
        };
        Distribution {
            measured: self.count(series, slot, Count::Of(metric)),
            median_days: shown(histogram.quantile(0.5)),
            p80_days: shown(histogram.quantile(0.8)),
            within_norm: norm.map(|n| shown(histogram.within(i64::from(n)))),
            norm_days: norm,
        }
    }

    fn figures(&self, series: usize, slot: usize) -> Figures {
        let norms = &self.query.norms;
        let of = |metric| self.count(series, slot, Count::Of(metric));
        let referrals = ReferralFigures {
            accepted: of(Metric::ReferralAccepted),
            rejected: REJECTION_DETAILS
                .iter()
                .map(|r| {
                    (
                        *r,
                        self.count(series, slot, Count::Detail(Metric::ReferralRejected, r)),
                    )
                })
                .collect(),
            failed: of(Metric::ReferralFailed),
            cancelled: of(Metric::ReferralCancelled),
            days_to_follow_up: self.distribution(series, slot, Metric::DaysToFollowUp, None),
            to_acceptance: self.distribution(
                series,
                slot,
                Metric::WaitToAcceptance,
                Some(norms.to_acceptance_norm_days),
            ),
            to_start: self.distribution(
                series,
                slot,
                Metric::WaitToStart,
                Some(norms.to_start_norm_days),
            ),
            total_wait: self.distribution(
                series,
                slot,
                Metric::WaitTotal,
                Some(norms.total_norm_days),
            ),
        };
        let trajectories = (series == 0 || self.query.grouping.splits(Metric::Ending)).then(|| {
            let endings = of(Metric::Ending);
            let with = of(Metric::EndingWithFollowUp);
            let not_needed = of(Metric::EndingNoFollowUpNeeded);
            // Both rounded, so the share is a function of the rounded cells too; capped at
            // 1, since the two are rounded apart.
            let share_with_follow_up = match (endings, with) {
                (Cell::Value(e), Cell::Value(w)) if e >= STATISTIC_MIN => {
                    Cell::Value((w as f64 / e as f64).min(1.0))
                }
                (Cell::Value(0), _) => Cell::Empty,
                _ => Cell::Suppressed,
            };
            let gaps_closed = of(Metric::GapClosed);
            let mean_days_to_close_gap = match gaps_closed {
                Cell::Value(n) if n >= STATISTIC_MIN => self
                    .collected
                    .histogram(series, slot, Metric::GapClosed, "")
                    .and_then(Histogram::mean)
                    .map_or(Cell::Empty, Cell::Value),
                _ => Cell::Suppressed,
            };
            let per_rule = |metric| {
                Rule::ALL
                    .iter()
                    .map(|r| {
                        (
                            *r,
                            self.count(series, slot, Count::Detail(metric, r.as_str())),
                        )
                    })
                    .collect()
            };
            TrajectoryFigures {
                endings,
                endings_with_follow_up: with,
                endings_no_follow_up_needed: not_needed,
                share_with_follow_up,
                gap_alerts: self.count(series, slot, Count::GapAlerts),
                gaps_closed,
                mean_days_to_close_gap,
                alerts_opened: per_rule(Metric::AlertOpened),
                escalations: per_rule(Metric::AlertEscalated),
                dropouts: of(Metric::Dropout),
                readmissions: of(Metric::Readmission),
            }
        });
        Figures {
            trajectories,
            referrals,
        }
    }
}
