//! The next candidates to try for a client: active catalog services of the same kind that
//! serve the client's municipality and have room, shortest measured wait first, without
//! the ones that already turned this client down or are being asked now.

use std::cmp::Ordering;

use crate::catalog::{Availability, Measured, Service, WaitingTimes};
use crate::kernel::ids::ServiceId;
use crate::kernel::org_id::{GemeenteCode, OrgId};
use crate::referral::{Referral, ReferralKind, ReferralStatus};

/// What was tried for this client already, read from its referrals of one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tried {
    /// Services that rejected the client, or are being asked now.
    pub services: Vec<ServiceId>,
    /// Organisations that rejected the client (or are being asked now) without a service
    /// named: none of their services of this kind is suggested.
    pub organisations: Vec<OrgId>,
}

impl Tried {
    /// From the client's `referrals` of `kind`: the rejected ones, the open ones, and the
    /// candidates of an expired offer (they had ten working days and did not answer).
    pub fn from_referrals(referrals: &[Referral], kind: ReferralKind) -> Self {
        let mut tried = Tried::default();
        for r in referrals.iter().filter(|r| r.kind == kind) {
            let unanswered = r.status == ReferralStatus::Cancelled
                && r.status_reason
                    .as_ref()
                    .is_some_and(|t| t.as_str() == super::offer::EXPIRED_REASON);
            if r.status != ReferralStatus::Rejected && !r.status.is_open() && !unanswered {
                continue;
            }
            match r.service {
                Some(service) => tried.services.push(service),
                None => tried.organisations.push(r.recipient),
            }
        }
        tried
    }

    fn excludes(&self, s: &Service) -> bool {
        self.services.contains(&s.id) || self.organisations.contains(&s.owner)
    }
}

fn measured_wait(w: &WaitingTimes) -> Option<f64> {
    match w.to_acceptance {
        Measured::Figure(f) => Some(f.median_days),
        Measured::InsufficientData => None,
    }
}

fn nulls_last<T: PartialOrd>(a: Option<T>, b: Option<T>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// At most `limit` of `services` a client of `municipality` could be sent to for `kind`:
/// active, serving the municipality, with room (`yes` or `waitlist`), not tried; ordered
/// by measured median wait to acceptance (unmeasured last), then the owner's stated wait,
/// then the service id (stable).
pub fn rank_alternatives(
    services: Vec<(Service, WaitingTimes)>,
    kind: ReferralKind,
    municipality: GemeenteCode,
    tried: &Tried,
    limit: usize,
) -> Vec<(Service, WaitingTimes)> {
    let mut fit: Vec<(Service, WaitingTimes)> = services
        .into_iter()
        .filter(|(s, _)| {
            s.details.kind == kind
                && s.details.status.takes_referrals()
                && s.details.serves.contains(&municipality)
                && s.capacity.as_ref().is_some_and(|c| {
                    matches!(c.availability(), Availability::Yes | Availability::Waitlist)
                })
                && !tried.excludes(s)
        })
        .collect();
    fit.sort_by(|(a, wa), (b, wb)| {
        nulls_last(measured_wait(wa), measured_wait(wb))
            .then(nulls_last(
                a.details.stated_wait_days,
                b.details.stated_wait_days,
            ))
            .then(a.id.cmp(&b.id))
    });
    fit.truncate(limit);
    fit
}

/// The kinds of support an alert's reader is shown alternatives for: the kind of an
/// expired offer; outreach after a dropout; otherwise the kinds whose referrals ended
/// without follow-up in place (rejected, cancelled, failed, or completed for a support
/// gap), or, when nothing was tried yet, the social domain's front doors. Other rules
/// (about one referral that is still running) get none.
pub fn suggested_kinds(
    rule: crate::continuity::Rule,
    facts: &[(String, String)],
    referrals: &[Referral],
) -> Vec<ReferralKind> {
    use crate::continuity::Rule;
    const FRONT_DOORS: [ReferralKind; 4] = [
        ReferralKind::WmoSupport,
        ReferralKind::Housing,
        ReferralKind::IncomeAndDebt,
        ReferralKind::PeerSupport,
    ];
    match rule {
        Rule::OfferExpired => facts
            .iter()
            .filter(|(k, _)| k == "kind")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        Rule::DropoutWithoutOutreach => vec![ReferralKind::Aftercare, ReferralKind::PeerSupport],
        Rule::TreatmentEndedWithoutFollowup
        | Rule::EndApproachingWithoutFollowup
        | Rule::SupportGap => {
            let ended = |r: &&Referral| match r.status {
                ReferralStatus::Rejected | ReferralStatus::Cancelled | ReferralStatus::Failed => {
                    true
                }
                ReferralStatus::Completed => rule == Rule::SupportGap,
                _ => false,
            };
            let in_place = |kind: ReferralKind| {
                referrals
                    .iter()
                    .any(|r| r.kind == kind && r.status.is_open())
            };
            let mut kinds: Vec<ReferralKind> = Vec::new();
            for r in referrals.iter().filter(ended) {
                if !kinds.contains(&r.kind) && !in_place(r.kind) {
                    kinds.push(r.kind);
                }
            }
            if kinds.is_empty() && referrals.is_empty() {
                kinds.extend(FRONT_DOORS);
            }
            kinds
        }
        Rule::ReferralUnacknowledged
        | Rule::WmoAssessmentOverdue
        | Rule::FollowupStartOverdue
        | Rule::WarmHandoffMissing
        | Rule::OutcomeCheckOverdue => Vec::new(),
    }
}
