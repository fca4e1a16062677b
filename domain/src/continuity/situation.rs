//! The rules themselves: given a trajectory with its referrals, offers, meetings and
//! outcome checks at an instant, which gaps in care exist now and when the next could open.

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::aftercare::{OutcomeCheck, checks_due};
use crate::continuity::rule::{ContinuityPolicy, Rule, Subject};
use crate::kernel::calendar::add_working_days;
use crate::kernel::calendar::start_of;
use crate::kernel::org_id::OrgId;
use crate::referral::{Referral, ReferralKind, ReferralStatus};
use crate::routing::{Offer, OfferStatus};
use crate::team::Meeting;
use crate::trajectory::Trajectory;
use crate::trajectory::phase::Phase;
use crate::trajectory::reason::EndReason;

/// A gap that exists now, with the facts that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub rule: Rule,
    pub subject: Subject,
    pub facts: Vec<(&'static str, String)>,
}

/// A trajectory with its referrals and offers: everything the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    pub trajectory: &'a Trajectory,
    pub referrals: &'a [Referral],
    pub offers: &'a [Offer],
    /// The warm-handoff meetings of its referrals.
    pub meetings: &'a [Meeting],
    /// The outcome checks recorded after closure.
    pub outcome_checks: &'a [OutcomeCheck],
    /// The client's current consent names its municipality of residence.
    pub resident_consent: bool,
}

fn day_after(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).unwrap_or(date)
}

/// Follow-up is in place: agreed or under way.
fn active(r: &Referral) -> bool {
    r.status.is_follow_up_in_place()
}

/// Follow-up was arranged at some point: accepted once (and not merely rejected).
fn arranged(r: &Referral) -> bool {
    r.decided_at.is_some() && r.status != ReferralStatus::Rejected
}

impl Situation<'_> {
    /// Every condition that holds at `now`.
    pub fn conditions(&self, now: DateTime<Utc>, policy: &ContinuityPolicy) -> Vec<Condition> {
        let mut found = Vec::new();
        let t = self.trajectory;
        let today = now.date_naive();
        let trajectory = Subject::Trajectory(t.id);
        let ended = t.treatment_ended_on.is_some() && !t.phase.in_treatment();
        let any_active = self.referrals.iter().any(active);
        let any_arranged = self.referrals.iter().any(arranged);

        if ended
            && t.end_reason != Some(EndReason::Deceased)
            && t.no_follow_up_reason.is_none()
            && !any_arranged
        {
            found.push(Condition {
                rule: Rule::TreatmentEndedWithoutFollowup,
                subject: trajectory,
                facts: vec![
                    ("phase", t.phase.to_string()),
                    (
                        "end_reason",
                        t.end_reason.map(|r| r.to_string()).unwrap_or_default(),
                    ),
                    (
                        "treatment_ended_on",
                        t.treatment_ended_on
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                    ),
                ],
            });
        }
        let outreach = self.referrals.iter().any(|r| {
            matches!(r.kind, ReferralKind::Aftercare | ReferralKind::PeerSupport)
                && !matches!(
                    r.status,
                    ReferralStatus::Rejected | ReferralStatus::Cancelled
                )
        });
        if ended && t.end_reason == Some(EndReason::Dropout) && !outreach {
            found.push(Condition {
                rule: Rule::DropoutWithoutOutreach,
                subject: trajectory,
                facts: vec![(
                    "treatment_ended_on",
                    t.treatment_ended_on
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                )],
            });
        }
        if let Some(warn_on) = self.end_warning_on(policy)
            && today >= warn_on
        {
            found.push(Condition {
                rule: Rule::EndApproachingWithoutFollowup,
                subject: trajectory,
                facts: vec![(
                    "planned_end_on",
                    t.planned_end_on.map(|d| d.to_string()).unwrap_or_default(),
                )],
            });
        }
        if t.phase == Phase::SocialSupport && any_arranged && !any_active {
            found.push(Condition {
                rule: Rule::SupportGap,
                subject: trajectory,
                facts: vec![("phase", t.phase.to_string())],
            });
        }
        if let Some((days, due)) = self.overdue_check(policy, today) {
            found.push(Condition {
                rule: Rule::OutcomeCheckOverdue,
                subject: trajectory,
                facts: vec![
                    ("after_days", days.to_string()),
                    ("due_on", due.to_string()),
                ],
            });
        }
        for offer in self.offers {
            let pursued = self
                .referrals
                .iter()
                .any(|r| r.kind == offer.kind && (r.status.is_open() || arranged(r)));
            if offer.status == OfferStatus::Expired && !pursued {
                found.push(Condition {
                    rule: Rule::OfferExpired,
                    subject: trajectory,
                    facts: vec![
                        ("offer_id", offer.id.to_string()),
                        ("kind", offer.kind.to_string()),
                        ("expired_at", offer.expires_at.to_rfc3339()),
                    ],
                });
                break;
            }
        }
        for r in self.referrals {
            let subject = Subject::Referral {
                id: r.id,
                recipient: r.recipient,
            };
            if let Some(overdue_on) = unacknowledged_on(r, policy)
                && today >= overdue_on
            {
                found.push(Condition {
                    rule: Rule::ReferralUnacknowledged,
                    subject,
                    facts: vec![
                        ("requested_at", r.requested_at.to_rfc3339()),
                        ("working_days", policy.acknowledge_working_days.to_string()),
                    ],
                });
            }
            for (what, due) in wmo_terms(r) {
                if today > due {
                    found.push(Condition {
                        rule: Rule::WmoAssessmentOverdue,
                        subject,
                        facts: vec![("term", what.to_owned()), ("due_on", due.to_string())],
                    });
                    break;
                }
            }
            if let Some(due) = self.handoff_due_on(r, policy)
                && today >= due
            {
                found.push(Condition {
                    rule: Rule::WarmHandoffMissing,
                    subject,
                    facts: vec![(
                        "planned_end_on",
                        t.planned_end_on.map(|d| d.to_string()).unwrap_or_default(),
                    )],
                });
            }
            if let (ReferralStatus::Accepted, Some(planned)) = (r.status, r.planned_start_on) {
                let decided = r.decided_at.map_or(today, |d| d.date_naive());
                let beyond_norm = planned > decided + Days::new(policy.start_norm_days.into());
                if today > planned || beyond_norm {
                    found.push(Condition {
                        rule: Rule::FollowupStartOverdue,
                        subject,
                        facts: vec![
                            ("planned_start_on", planned.to_string()),
                            ("beyond_norm", beyond_norm.to_string()),
                        ],
                    });
                }
            }
        }
        found
    }

    /// The earliest instant after `now` at which a time-based condition could start to
    /// hold, if the situation stays as it is.
    pub fn next_deadline(
        &self,
        now: DateTime<Utc>,
        policy: &ContinuityPolicy,
    ) -> Option<DateTime<Utc>> {
        let mut dates: Vec<NaiveDate> = Vec::new();
        dates.extend(self.end_warning_on(policy));
        dates.extend(
            self.unrecorded_checks(policy)
                .filter_map(|(_, due)| overdue_from(due, policy)),
        );
        for r in self.referrals {
            dates.extend(self.handoff_due_on(r, policy));
            dates.extend(unacknowledged_on(r, policy));
            dates.extend(wmo_terms(r).into_iter().map(|(_, due)| day_after(due)));
            if r.status == ReferralStatus::Accepted {
                dates.extend(r.planned_start_on.map(day_after));
            }
        }
        let expiries = self
            .offers
            .iter()
            .filter(|o| o.status == OfferStatus::Open)
            .map(|o| o.expires_at);
        dates
            .into_iter()
            .map(start_of)
            .chain(expiries)
            .filter(|at| *at > now)
            .min()
    }

    /// The checks owed and not recorded.
    fn unrecorded_checks(
        &self,
        policy: &ContinuityPolicy,
    ) -> impl Iterator<Item = (u32, NaiveDate)> + '_ {
        checks_due(self.trajectory, self.referrals, &policy.outcome)
            .into_iter()
            .filter(|(days, _)| !self.outcome_checks.iter().any(|c| c.after_days == *days))
    }

    /// The first owed check overdue at `today`, if any.
    fn overdue_check(
        &self,
        policy: &ContinuityPolicy,
        today: NaiveDate,
    ) -> Option<(u32, NaiveDate)> {
        self.unrecorded_checks(policy)
            .find(|(_, due)| overdue_from(*due, policy).is_some_and(|from| today >= from))
    }

    /// From when referral `r` needs its warm handoff: accepted (or started) for another
    /// organisation while treatment runs towards a planned end, with no meeting planned
    /// or held for it.
    fn handoff_due_on(&self, r: &Referral, policy: &ContinuityPolicy) -> Option<NaiveDate> {
        let t = self.trajectory;
        let needs = r.status.is_follow_up_in_place()
            && t.phase.in_treatment()
            && r.recipient != OrgId::Agb(t.treating_provider)
            && !self
                .meetings
                .iter()
                .any(|m| m.referral_id == r.id && m.counts());
        if !needs {
            return None;
        }
        t.planned_end_on?
            .checked_sub_days(Days::new(policy.handoff_days.into()))
    }

    /// When the early warning for the planned end applies, if it can.
    fn end_warning_on(&self, policy: &ContinuityPolicy) -> Option<NaiveDate> {
        let t = self.trajectory;
        if !t.phase.in_treatment() || self.referrals.iter().any(active) {
            return None;
        }
        t.planned_end_on?
            .checked_sub_days(Days::new(policy.early_warning_days.into()))
    }
}

/// The day from which a check due on `due` is overdue (more than the policy's days late).
fn overdue_from(due: NaiveDate, policy: &ContinuityPolicy) -> Option<NaiveDate> {
    due.checked_add_days(Days::new(u64::from(policy.outcome.overdue_days) + 1))
}

/// The day from which a still-requested referral counts as unacknowledged.
fn unacknowledged_on(r: &Referral, policy: &ContinuityPolicy) -> Option<NaiveDate> {
    (r.status == ReferralStatus::Requested).then(|| {
        day_after(add_working_days(
            r.requested_at.date_naive(),
            policy.acknowledge_working_days,
        ))
    })
}

/// The statutory Wmo terms still running for a referral to a municipality.
fn wmo_terms(r: &Referral) -> Vec<(&'static str, NaiveDate)> {
    if !matches!(r.recipient, OrgId::Gemeente(_)) {
        return Vec::new();
    }
    let mut terms = Vec::new();
    if matches!(
        r.status,
        ReferralStatus::Received | ReferralStatus::UnderAssessment
    ) {
        terms.extend(r.assessment_due_on.map(|d| ("assessment", d)));
    }
    if r.status == ReferralStatus::UnderAssessment {
        terms.extend(r.decision_due_on.map(|d| ("decision", d)));
    }
    terms
}
