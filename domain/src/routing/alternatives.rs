//! The next candidates to try for a client: active catalog services of the same kind that
//! serve the client's municipality and have room, shortest measured wait first, without
//! the ones that already turned this client down or are being asked now.

use std::cmp::Ordering;

use crate::catalog::{Availability, Measured, Service, WaitingTimes};
use crate::ids::ServiceId;
use crate::org_id::{GemeenteCode, OrgId};
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
    /// From the client's `referrals` of `kind`: the rejected ones and the open ones.
    pub fn from_referrals(referrals: &[Referral], kind: ReferralKind) -> Self {
        let mut tried = Tried::default();
        for r in referrals.iter().filter(|r| r.kind == kind) {
            if r.status != ReferralStatus::Rejected && !r.status.is_open() {
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
