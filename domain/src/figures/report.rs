//! The figures report: aggregated facts per month and group turned into counts, shares and
//! durations per period and group, with every small or complementary cell withheld.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::catalog::WaitingPolicy;
use crate::continuity::Rule;
use crate::figures::fact::Metric;
use crate::figures::histogram::Histogram;
use crate::figures::period::{Month, Period, PeriodRange};
use crate::figures::suppression::CountTable;
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

/// Summed facts of one month, group, metric and detail, as the store returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    pub month: Month,
    /// The grouping's value: municipality code, AGB code, kind or service id; empty for a
    /// fact that has none (a trajectory-wide fact, a referral without a service).
    pub group: String,
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
    pub min_clients: u64,
    pub norms: WaitingPolicy,
}

/// A figure, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<T> {
    Value(T),
    /// Built from fewer clients than the minimum, or would give such a figure away.
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

/// Every count a series carries; the trajectory-wide ones only where they apply.
fn counts(trajectory_wide: bool) -> Vec<Count> {
    let mut all = Vec::new();
    if trajectory_wide {
        all.extend(
            [
                Metric::Ending,
                Metric::EndingWithFollowUp,
                Metric::EndingNoFollowUpNeeded,
                Metric::Dropout,
                Metric::Readmission,
                Metric::GapClosed,
            ]
            .map(Count::Of),
        );
        all.push(Count::GapAlerts);
        for rule in Rule::ALL {
            all.push(Count::Detail(Metric::AlertOpened, rule.as_str()));
            all.push(Count::Detail(Metric::AlertEscalated, rule.as_str()));
        }
    }
    all.extend(
        [
            Metric::ReferralAccepted,
            Metric::ReferralFailed,
            Metric::ReferralCancelled,
            Metric::DaysToFollowUp,
            Metric::WaitToAcceptance,
            Metric::WaitToStart,
            Metric::WaitTotal,
        ]
        .map(Count::Of),
    );
    for reason in REJECTION_DETAILS {
        all.push(Count::Detail(Metric::ReferralRejected, reason));
    }
    all
}

/// The histograms of one series and slot, by metric and detail (nested, so a lookup by
/// `&str` allocates nothing).
type Slot = HashMap<Metric, HashMap<String, Histogram>>;

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
        self.slots[series][slot].get(&metric)?.get(detail)
    }

    fn count(&self, series: usize, slot: usize, count: Count) -> u64 {
        let of = |metric: Metric, detail: &str| {
            self.histogram(series, slot, metric, detail)
                .map_or(0, Histogram::count)
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

fn group_key(grouping: Grouping, row: &Aggregate) -> String {
    if grouping == Grouping::Service && row.group.is_empty() {
        NO_SERVICE.to_owned()
    } else {
        row.group.clone()
    }
}

/// Builds the report from the store's aggregates and the open gap alerts per group.
pub fn build(query: &ReportQuery, rows: &[Aggregate], open_gaps: &[(String, u64)]) -> Report {
    let periods = query.range.periods();
    let whole = periods.len();
    let groups: Vec<String> = rows
        .iter()
        .filter(|r| query.grouping.splits(r.metric))
        .map(|r| group_key(query.grouping, r))
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
    for row in rows {
        let period = Period::of_month(query.range.interval, row.month);
        let Some(slot) = periods.iter().position(|p| *p == period) else {
            continue;
        };
        let mut series = vec![0];
        if query.grouping.splits(row.metric)
            && let Some(i) = index.get(group_key(query.grouping, row).as_str())
        {
            series.push(*i);
        }
        for s in series {
            for at in [slot, whole] {
                let details = collected.slots[s][at].entry(row.metric).or_default();
                match details.get_mut(row.detail.as_str()) {
                    Some(histogram) => histogram.merge(&row.days),
                    None => {
                        details.insert(row.detail.clone(), row.days.clone());
                    }
                }
            }
        }
    }

    // One cell per series, slot and count; lines over the groups, over the periods, and
    // from the gap alerts to the gap rules' alerts.
    let mut table = CountTable::default();
    let mut cells: HashMap<(usize, usize, Count), usize> = HashMap::new();
    let series_count = groups.len() + 1;
    let trajectory_wide = |series: usize| series == 0 || query.grouping.splits(Metric::Ending);
    for series in 0..series_count {
        for slot in 0..=whole {
            for count in counts(trajectory_wide(series)) {
                let id = table.cell(collected.count(series, slot, count));
                cells.insert((series, slot, count), id);
            }
        }
    }
    for count in counts(true) {
        for slot in 0..=whole {
            let line: Vec<usize> = (0..series_count)
                .filter_map(|s| cells.get(&(s, slot, count)).copied())
                .collect();
            if line.len() == series_count {
                table.line(line);
            }
        }
        for series in 0..series_count {
            let line: Vec<usize> = (0..=whole)
                .filter_map(|slot| cells.get(&(series, slot, count)).copied())
                .collect();
            table.line(line);
        }
    }
    for series in 0..series_count {
        for slot in 0..=whole {
            let mut line: Vec<usize> = gap_rules()
                .filter_map(|r| {
                    cells
                        .get(&(series, slot, Count::Detail(Metric::AlertOpened, r.as_str())))
                        .copied()
                })
                .collect();
            if let Some(total) = cells.get(&(series, slot, Count::GapAlerts)) {
                line.push(*total);
                table.line(line);
            }
        }
    }
    let hidden = table.suppress(query.min_clients);

    let view = View {
        query,
        collected: &collected,
        table: &table,
        hidden: &hidden,
        cells: &cells,
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
        groups: (1..series_count).map(series_of).collect(),
        open_gaps: open_gap_cells(query, open_gaps),
    }
}

fn open_gap_cells(query: &ReportQuery, open_gaps: &[(String, u64)]) -> OpenGaps {
    let mut table = CountTable::default();
    let total = table.cell(open_gaps.iter().map(|(_, n)| n).sum());
    let split = query.grouping.splits(Metric::Ending);
    let groups: BTreeMap<&str, u64> = if split {
        open_gaps.iter().map(|(g, n)| (g.as_str(), *n)).collect()
    } else {
        BTreeMap::new()
    };
    let ids: Vec<(String, usize)> = groups
        .iter()
        .map(|(g, n)| ((*g).to_owned(), table.cell(*n)))
        .collect();
    let mut line = vec![total];
    line.extend(ids.iter().map(|(_, id)| *id));
    table.line(line);
    let hidden = table.suppress(query.min_clients);
    let cell = |id: usize| {
        if hidden[id] {
            Cell::Suppressed
        } else {
            Cell::Value(table.value(id))
        }
    };
    OpenGaps {
        total: cell(total),
        groups: ids.into_iter().map(|(g, id)| (g, cell(id))).collect(),
    }
}

struct View<'a> {
    query: &'a ReportQuery,
    collected: &'a Collected,
    table: &'a CountTable,
    hidden: &'a [bool],
    cells: &'a HashMap<(usize, usize, Count), usize>,
}

impl View<'_> {
    fn count(&self, series: usize, slot: usize, count: Count) -> Cell<u64> {
        match self.cells.get(&(series, slot, count)) {
            Some(id) if !self.hidden[*id] => Cell::Value(self.table.value(*id)),
            _ => Cell::Suppressed,
        }
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
        // A median is built from every duration measured: shown from the minimum on,
        // whatever the lines made of the count itself.
        let enough = histogram.count() >= self.query.min_clients;
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
            let share_with_follow_up = match (endings, with) {
                (Cell::Value(e), Cell::Value(w)) if e > 0 => Cell::Value(w as f64 / e as f64),
                (Cell::Value(_), Cell::Value(_)) => Cell::Empty,
                _ => Cell::Suppressed,
            };
            let gaps_closed = of(Metric::GapClosed);
            let mean_days_to_close_gap = match gaps_closed {
                Cell::Value(_) => self
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
