//! What the API says of continuity figures: counts, shares and durations per period and
//! group, each a `{value, suppressed}` cell so a withheld statistic is told from a zero.

use chrono::{DateTime, Utc};
use herstelbrug_domain::figures::{
    Cell, Distribution, Figures, OpenGaps, ReferralFigures, Report, Series, TrajectoryFigures,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::dto::schema;

/// A count, a multiple of 5: the sum of the finest cells behind it, each randomly
/// rounded to base 5 (see the README). Never withheld (`suppressed` is always false; kept
/// so a count reads like the other cells).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(example = json!({"value": 12, "suppressed": false}))]
pub struct CountCell {
    #[schema(minimum = 0)]
    pub value: Option<u64>,
    pub suppressed: bool,
}

/// A share (0 to 1) or a number of days: `null` with `suppressed: true` when fewer than
/// 10 (rounded) stand behind it; `null` with `suppressed: false` when there was nothing
/// to measure.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(example = json!({"value": 0.75, "suppressed": false}))]
pub struct MeasureCell {
    pub value: Option<f64>,
    pub suppressed: bool,
}

impl From<Cell<u64>> for CountCell {
    fn from(cell: Cell<u64>) -> Self {
        match cell {
            Cell::Value(v) => Self {
                value: Some(v),
                suppressed: false,
            },
            Cell::Suppressed => Self {
                value: None,
                suppressed: true,
            },
            Cell::Empty => Self {
                value: None,
                suppressed: false,
            },
        }
    }
}

impl From<Cell<f64>> for MeasureCell {
    fn from(cell: Cell<f64>) -> Self {
        match cell {
            Cell::Value(v) => Self {
                value: Some((v * 1000.0).round() / 1000.0),
                suppressed: false,
            },
            Cell::Suppressed => Self {
                value: None,
                suppressed: true,
            },
            Cell::Empty => Self {
                value: None,
                suppressed: false,
            },
        }
    }
}

/// Durations in days: how many were measured, the median, the 80th percentile and, for
/// waiting times, the share within the Treeknorm.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DistributionView {
    pub measured: CountCell,
    pub median_days: MeasureCell,
    pub p80_days: MeasureCell,
    /// The share at most `norm_days`; absent where no norm applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_norm: Option<MeasureCell>,
    /// The Treeknorm this interval is held to; absent where none applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub norm_days: Option<u32>,
}

impl From<&Distribution> for DistributionView {
    fn from(d: &Distribution) -> Self {
        Self {
            measured: d.measured.into(),
            median_days: d.median_days.into(),
            p80_days: d.p80_days.into(),
            within_norm: d.within_norm.map(Into::into),
            norm_days: d.norm_days,
        }
    }
}

/// A count per alert rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleCount {
    #[schema(schema_with = schema::alert_rule)]
    pub rule: String,
    pub count: CountCell,
}

/// Rejected referrals with one reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonCount {
    #[schema(schema_with = schema::figure_rejection_reason)]
    pub reason: String,
    pub count: CountCell,
}

/// Figures about trajectories as a whole.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrajectoryFiguresView {
    /// Treatment endings in the period.
    pub endings: CountCell,
    /// Endings with a follow-up referral accepted (or started) at the moment of ending.
    pub endings_with_follow_up: CountCell,
    /// Endings where the clinician stated that no follow-up is needed.
    pub endings_no_follow_up_needed: CountCell,
    /// `endings_with_follow_up / endings`.
    pub share_with_follow_up: MeasureCell,
    /// Gap alerts opened (treatment ended without follow-up, dropout without outreach,
    /// support gap): the sum of those rules in `alerts_opened`.
    pub gap_alerts: CountCell,
    /// Gap alerts resolved in the period.
    pub gaps_closed: CountCell,
    /// Their mean days from opening to resolution.
    pub mean_days_to_close_gap: MeasureCell,
    /// Alerts opened, per rule.
    pub alerts_opened: Vec<RuleCount>,
    /// Alerts escalated, per rule.
    pub escalations: Vec<RuleCount>,
    /// Endings because the client dropped out.
    pub dropouts: CountCell,
    /// Trajectories started within 90 days of the client's previous closure.
    pub readmissions: CountCell,
}

/// Figures about referrals and the follow-up they led to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralFiguresView {
    /// Accepted (in the month of the decision), whether or not they started since.
    pub accepted: CountCell,
    /// Rejected, per reason.
    pub rejected: Vec<ReasonCount>,
    pub failed: CountCell,
    pub cancelled: CountCell,
    /// Days from the end of treatment to the start of the first follow-up (0 when it
    /// started before), counted in the month treatment ended.
    pub days_to_follow_up: DistributionView,
    /// Measured waiting: request to acceptance.
    pub to_acceptance: DistributionView,
    /// Measured waiting: acceptance to start.
    pub to_start: DistributionView,
    /// Measured waiting: request to start.
    pub total_wait: DistributionView,
}

/// The figures of one period (or the whole range) for one group (or all).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FiguresView {
    /// Absent in groups by `kind` or `service`: trajectory-wide figures do not split so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trajectories: Option<TrajectoryFiguresView>,
    pub referrals: ReferralFiguresView,
}

/// Figures of one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodFiguresView {
    /// `2026-11` or `2026-Q4`.
    #[schema(example = "2026-11")]
    pub period: String,
    pub figures: FiguresView,
}

/// One group (or the total) over the range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesView {
    /// The group: `gemeente:NNNN`, `agb:NNNNNNNN`, a referral kind, a service id or `none`
    /// (referrals to no catalog service); `null` for the total.
    #[schema(example = "gemeente:0268")]
    pub group: Option<String>,
    /// One entry per period of the range, oldest first.
    pub periods: Vec<PeriodFiguresView>,
    /// The whole range at once.
    pub whole_range: FiguresView,
}

/// A group's count of open gaps.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupCount {
    pub group: String,
    pub count: CountCell,
}

/// Gap alerts unresolved at the moment of the request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenGapsView {
    pub total: CountCell,
    /// Per municipality or provider; empty for groupings by kind or service.
    pub groups: Vec<GroupCount>,
}

/// Continuity figures over a range of periods.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContinuityFiguresView {
    #[schema(schema_with = schema::figure_interval)]
    pub interval: String,
    #[schema(example = "2026-01")]
    pub from: String,
    #[schema(example = "2026-12")]
    pub to: String,
    #[schema(schema_with = schema::figure_grouping)]
    pub group_by: String,
    /// Whose figures: `agb:NNNNNNNN` (a provider's own), `gemeente:NNNN` (its residents,
    /// over every provider) or `all` (an administrator).
    #[schema(example = "gemeente:0268")]
    pub scope: String,
    /// Every count is a multiple of this (random rounding of each finest cell).
    pub rounded_to: u64,
    /// Shares and durations need at least this many (rounded) behind them.
    pub statistics_from: u64,
    /// The periods of the range, oldest first.
    pub periods: Vec<String>,
    pub total: SeriesView,
    pub groups: Vec<SeriesView>,
    pub open_gaps: OpenGapsView,
    pub generated_at: DateTime<Utc>,
}

fn trajectories(t: &TrajectoryFigures) -> TrajectoryFiguresView {
    let per_rule = |list: &[(herstelbrug_domain::Rule, Cell<u64>)]| {
        list.iter()
            .map(|(rule, cell)| RuleCount {
                rule: rule.as_str().to_owned(),
                count: (*cell).into(),
            })
            .collect()
    };
    TrajectoryFiguresView {
        endings: t.endings.into(),
        endings_with_follow_up: t.endings_with_follow_up.into(),
        endings_no_follow_up_needed: t.endings_no_follow_up_needed.into(),
        share_with_follow_up: t.share_with_follow_up.into(),
        gap_alerts: t.gap_alerts.into(),
        gaps_closed: t.gaps_closed.into(),
        mean_days_to_close_gap: t.mean_days_to_close_gap.into(),
        alerts_opened: per_rule(&t.alerts_opened),
        escalations: per_rule(&t.escalations),
        dropouts: t.dropouts.into(),
        readmissions: t.readmissions.into(),
    }
}

fn referrals(r: &ReferralFigures) -> ReferralFiguresView {
    ReferralFiguresView {
        accepted: r.accepted.into(),
        rejected: r
            .rejected
            .iter()
            .map(|(reason, cell)| ReasonCount {
                reason: (*reason).to_owned(),
                count: (*cell).into(),
            })
            .collect(),
        failed: r.failed.into(),
        cancelled: r.cancelled.into(),
        days_to_follow_up: (&r.days_to_follow_up).into(),
        to_acceptance: (&r.to_acceptance).into(),
        to_start: (&r.to_start).into(),
        total_wait: (&r.total_wait).into(),
    }
}

fn figures(f: &Figures) -> FiguresView {
    FiguresView {
        trajectories: f.trajectories.as_ref().map(trajectories),
        referrals: referrals(&f.referrals),
    }
}

fn series(s: &Series, periods: &[String]) -> SeriesView {
    SeriesView {
        group: s.group.clone(),
        periods: s
            .periods
            .iter()
            .zip(periods)
            .map(|(f, p)| PeriodFiguresView {
                period: p.clone(),
                figures: figures(f),
            })
            .collect(),
        whole_range: figures(&s.whole_range),
    }
}

fn open_gaps(o: &OpenGaps) -> OpenGapsView {
    OpenGapsView {
        total: o.total.into(),
        groups: o
            .groups
            .iter()
            .map(|(g, c)| GroupCount {
                group: g.clone(),
                count: (*c).into(),
            })
            .collect(),
    }
}

/// What the request asked, echoed with the report.
pub struct Asked<'a> {
    pub interval: &'a str,
    pub group_by: &'a str,
    pub scope: String,
    pub now: DateTime<Utc>,
}

impl ContinuityFiguresView {
    pub fn new(report: &Report, asked: Asked<'_>) -> Self {
        let periods: Vec<String> = report.periods.iter().map(|p| p.label()).collect();
        Self {
            interval: asked.interval.to_owned(),
            from: periods.first().cloned().unwrap_or_default(),
            to: periods.last().cloned().unwrap_or_default(),
            group_by: asked.group_by.to_owned(),
            scope: asked.scope,
            rounded_to: herstelbrug_domain::figures::BASE,
            statistics_from: herstelbrug_domain::figures::STATISTIC_MIN,
            total: series(&report.total, &periods),
            groups: report.groups.iter().map(|s| series(s, &periods)).collect(),
            open_gaps: open_gaps(&report.open_gaps),
            periods,
            generated_at: asked.now,
        }
    }
}
