//! Continuity figures for the people who steer: the facts each trajectory contributes to
//! the counts (derived from its state, so a rollup can be kept by adding the difference),
//! the periods they are asked for, the rounding that protects them as a whole, and the
//! report built from aggregated facts.

pub mod fact;
pub mod histogram;
pub mod period;
pub mod report;
pub mod rounding;

pub use fact::{Fact, Metric, alert_facts, diff, trajectory_facts};
pub use histogram::Histogram;
pub use period::{Interval, Month, Period, PeriodError, PeriodRange};
pub use report::{
    Aggregate, Cell, Distribution, Figures, GroupAggregate, Grouping, OpenGaps, ReferralFigures,
    Report, ReportQuery, Series, TrajectoryFigures, build, build_grouped, group_value,
};
pub use rounding::{BASE, FineCell, STATISTIC_MIN};

#[cfg(test)]
mod tests;
