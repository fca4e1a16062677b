//! The facts a trajectory contributes to the figures. Derived from its state (and, for
//! what was true at the moment treatment ended, from the facts recorded before), so the
//! store can keep rolled-up counts by adding the difference between the old and the new
//! facts in the transaction that changes the trajectory. Alerts contribute one fact per
//! change instead, as they happen.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::continuity::{Alert, AlertChange, Rule};
use crate::figures::period::Month;
use crate::kernel::ids::ServiceId;
use crate::kernel::org_id::{AgbCode, GemeenteCode};
use crate::referral::{Referral, ReferralKind, ReferralStatus};
use crate::trajectory::Trajectory;
use crate::trajectory::reason::EndReason;

string_enum! {
    /// What a fact counts.
    pub enum Metric ("metric") {
        /// Treatment ended (in the month it ended).
        Ending => "ending",
        /// ... with a follow-up accepted or started at that moment.
        EndingWithFollowUp => "ending_with_follow_up",
        /// ... with the clinician's statement that no follow-up is needed.
        EndingNoFollowUpNeeded => "ending_no_follow_up_needed",
        /// Treatment ended because the client dropped out.
        Dropout => "dropout",
        /// A trajectory re-entering within 90 days of a closure (in the month it started).
        Readmission => "readmission",
        /// Days from the end of treatment to the start of the first follow-up (in the
        /// month treatment ended; the follow-up's kind and service).
        DaysToFollowUp => "days_to_follow_up",
        /// A referral was accepted (in the month of the decision).
        ReferralAccepted => "referral_accepted",
        /// A referral was turned down; `detail` is the reason.
        ReferralRejected => "referral_rejected",
        ReferralFailed => "referral_failed",
        ReferralCancelled => "referral_cancelled",
        /// Days from request to acceptance (in the month of acceptance).
        WaitToAcceptance => "wait_to_acceptance",
        /// Days from acceptance to start (in the month of the start).
        WaitToStart => "wait_to_start",
        /// Days from request to start (in the month of the start).
        WaitTotal => "wait_total",
        /// An alert opened; `detail` is its rule.
        AlertOpened => "alert_opened",
        /// An alert escalated; `detail` is its rule.
        AlertEscalated => "alert_escalated",
        /// A gap alert was resolved, after `days` days open.
        GapClosed => "gap_closed",
    }
}

impl Metric {
    /// Facts that measure a duration in days (kept as histograms), not a plain count.
    pub const fn measures_days(self) -> bool {
        matches!(
            self,
            Metric::DaysToFollowUp
                | Metric::WaitToAcceptance
                | Metric::WaitToStart
                | Metric::WaitTotal
                | Metric::GapClosed
        )
    }

    /// Facts about the trajectory as a whole, which have no referral kind or service.
    pub const fn is_trajectory_level(self) -> bool {
        matches!(
            self,
            Metric::Ending
                | Metric::EndingWithFollowUp
                | Metric::EndingNoFollowUpNeeded
                | Metric::Dropout
                | Metric::Readmission
                | Metric::AlertOpened
                | Metric::AlertEscalated
                | Metric::GapClosed
        )
    }
}

/// One countable fact: what, when, for whom (never which client).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Fact {
    #[serde(rename = "m")]
    pub metric: Metric,
    #[serde(rename = "t")]
    pub month: Month,
    #[serde(rename = "p")]
    pub provider: AgbCode,
    #[serde(rename = "g")]
    pub municipality: GemeenteCode,
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ReferralKind>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceId>,
    /// The rule of an alert fact, the reason of a rejection; empty otherwise.
    #[serde(rename = "x", default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// The duration a fact measures; 0 for plain counts.
    #[serde(rename = "d", default)]
    pub days: i64,
}

struct Dims {
    provider: AgbCode,
    municipality: GemeenteCode,
}

impl Dims {
    fn fact(&self, metric: Metric, day: NaiveDate) -> Fact {
        Fact {
            metric,
            month: Month::of(day),
            provider: self.provider,
            municipality: self.municipality,
            kind: None,
            service: None,
            detail: String::new(),
            days: 0,
        }
    }

    fn referral_fact(&self, metric: Metric, day: NaiveDate, referral: &Referral) -> Fact {
        Fact {
            kind: Some(referral.kind),
            service: referral.service,
            ..self.fact(metric, day)
        }
    }
}

fn accepted(status: ReferralStatus) -> bool {
    matches!(
        status,
        ReferralStatus::Accepted | ReferralStatus::InProgress | ReferralStatus::Completed
    )
}

/// The facts `trajectory` with its `referrals` contributes now. `recorded` are the facts it
/// contributed before: whether follow-up was in place when treatment ended is kept from
/// them, since the referrals have moved on since.
pub fn trajectory_facts(
    trajectory: &Trajectory,
    referrals: &[Referral],
    recorded: &[Fact],
) -> Vec<Fact> {
    let dims = Dims {
        provider: trajectory.treating_provider,
        municipality: trajectory.municipality,
    };
    let mut facts = Vec::new();
    if trajectory.readmission {
        facts.push(dims.fact(Metric::Readmission, trajectory.started_on));
    }
    if let Some(end) = trajectory.treatment_ended_on {
        facts.push(dims.fact(Metric::Ending, end));
        let already_ended = recorded.iter().any(|f| f.metric == Metric::Ending);
        let had_follow_up = if already_ended {
            recorded
                .iter()
                .any(|f| f.metric == Metric::EndingWithFollowUp)
        } else {
            referrals.iter().any(|r| accepted(r.status))
        };
        if had_follow_up {
            facts.push(dims.fact(Metric::EndingWithFollowUp, end));
        }
        if trajectory.no_follow_up_reason.is_some() {
            facts.push(dims.fact(Metric::EndingNoFollowUpNeeded, end));
        }
        if trajectory.end_reason == Some(EndReason::Dropout) {
            facts.push(dims.fact(Metric::Dropout, end));
        }
        let first_start = referrals
            .iter()
            .filter_map(|r| r.started_on.map(|s| (s, r)))
            .min_by_key(|(s, r)| (*s, r.id));
        if let Some((started, referral)) = first_start {
            facts.push(Fact {
                days: (started - end).num_days().max(0),
                ..dims.referral_fact(Metric::DaysToFollowUp, end, referral)
            });
        }
    }
    for referral in referrals {
        referral_facts(&dims, referral, &mut facts);
    }
    facts.sort();
    facts
}

fn day(at: DateTime<Utc>) -> NaiveDate {
    at.date_naive()
}

fn referral_facts(dims: &Dims, r: &Referral, facts: &mut Vec<Fact>) {
    let decided = r.decided_at.map(day);
    match r.status {
        ReferralStatus::Requested | ReferralStatus::Received | ReferralStatus::UnderAssessment => {}
        ReferralStatus::Accepted | ReferralStatus::InProgress | ReferralStatus::Completed => {
            let on = decided.unwrap_or_else(|| day(r.updated_at));
            facts.push(dims.referral_fact(Metric::ReferralAccepted, on, r));
        }
        ReferralStatus::Rejected => facts.push(Fact {
            detail: r
                .rejection
                .map_or("unspecified", |reason| reason.as_str())
                .to_owned(),
            ..dims.referral_fact(
                Metric::ReferralRejected,
                decided.unwrap_or_else(|| day(r.updated_at)),
                r,
            )
        }),
        ReferralStatus::Failed => facts.push(dims.referral_fact(
            Metric::ReferralFailed,
            r.ended_on.unwrap_or_else(|| day(r.updated_at)),
            r,
        )),
        ReferralStatus::Cancelled => {
            facts.push(dims.referral_fact(Metric::ReferralCancelled, day(r.updated_at), r));
        }
    }
    let requested = day(r.requested_at);
    let Some(accepted_on) = decided.filter(|_| accepted(r.status)) else {
        return;
    };
    facts.push(Fact {
        days: (accepted_on - requested).num_days().max(0),
        ..dims.referral_fact(Metric::WaitToAcceptance, accepted_on, r)
    });
    if let Some(started) = r.started_on {
        facts.push(Fact {
            days: (started - accepted_on).num_days().max(0),
            ..dims.referral_fact(Metric::WaitToStart, started, r)
        });
        facts.push(Fact {
            days: (started - requested).num_days().max(0),
            ..dims.referral_fact(Metric::WaitTotal, started, r)
        });
    }
}

fn alert_fact(alert: &Alert, metric: Metric, at: DateTime<Utc>) -> Fact {
    let dims = Dims {
        provider: alert.treating_provider,
        municipality: alert.municipality,
    };
    Fact {
        detail: alert.rule.as_str().to_owned(),
        ..dims.fact(metric, day(at))
    }
}

/// The facts one alert change adds: an opening or escalation per rule, and the days a gap
/// alert stayed open when it is resolved.
pub fn alert_facts(change: &AlertChange) -> Vec<Fact> {
    match change {
        AlertChange::Opened(a) => vec![alert_fact(a, Metric::AlertOpened, a.opened_at)],
        AlertChange::Escalated(a) => {
            vec![alert_fact(
                a,
                Metric::AlertEscalated,
                a.escalated_at.unwrap_or(a.opened_at),
            )]
        }
        AlertChange::Resolved(a) => gap_closed(a).into_iter().collect(),
        AlertChange::Lapsed(_) | AlertChange::Shared(_) => Vec::new(),
    }
}

/// The fact a resolved gap alert adds (whether it cleared or was resolved by hand).
pub fn gap_closed(alert: &Alert) -> Option<Fact> {
    let resolved = alert.resolved_at?;
    Rule::is_gap(alert.rule).then(|| Fact {
        days: (resolved - alert.opened_at).num_days().max(0),
        detail: String::new(),
        ..alert_fact(alert, Metric::GapClosed, resolved)
    })
}

/// The change from `old` to `new` facts, as counts to add per fact (never zero).
pub fn diff(old: &[Fact], new: &[Fact]) -> Vec<(Fact, i64)> {
    let mut counts: BTreeMap<&Fact, i64> = BTreeMap::new();
    for f in old {
        *counts.entry(f).or_default() -= 1;
    }
    for f in new {
        *counts.entry(f).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|(f, n)| (f.clone(), n))
        .collect()
}
