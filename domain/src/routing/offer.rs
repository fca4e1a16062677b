//! An offer: one request for one kind of support, sent to 2 to 5 candidate recipients at
//! once, as Nictiz eOverdracht and the Twiin notified-pull agreement do. Each candidate
//! gets its own referral in the group; the first acceptance selects it and cancels the
//! others (`not_selected`); an offer nobody accepts in time expires and cancels the ones
//! still open (`offer_expired`).

use chrono::{DateTime, Days, Utc};

use crate::kernel::actor::Actor;
use crate::kernel::calendar::add_working_days;
use crate::kernel::calendar::start_of;
use crate::kernel::ids::{OfferId, ReferralId, ServiceId, TrajectoryId};
use crate::kernel::org_id::{AgbCode, OrgId};
use crate::referral::{Referral, ReferralEvent, ReferralKind, ReferralStatus};
use crate::routing::error::OfferError;
use crate::routing::status::OfferStatus;

pub const MIN_CANDIDATES: usize = 2;
pub const MAX_CANDIDATES: usize = 5;
/// The cancellation reason of the candidates another one was chosen over.
pub const NOT_SELECTED_REASON: &str = "not_selected";
/// The cancellation reason of the candidates still open when the offer expired.
pub const EXPIRED_REASON: &str = "offer_expired";

/// How long an offer waits (a configurable default: 10 working days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferPolicy {
    pub expiry_working_days: u32,
}

impl Default for OfferPolicy {
    fn default() -> Self {
        Self {
            expiry_working_days: 10,
        }
    }
}

/// One candidate recipient, with the catalog service asked for if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub recipient: OrgId,
    pub service: Option<ServiceId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: OfferId,
    pub trajectory_id: TrajectoryId,
    pub requester: AgbCode,
    pub kind: ReferralKind,
    pub status: OfferStatus,
    /// The candidate that accepted.
    pub selected: Option<ReferralId>,
    /// When it expires if nobody accepted: the start of the day after the last working day.
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u32,
}

impl Offer {
    /// A new open offer to `candidates`: 2 to 5, no recipient twice.
    pub fn new(
        id: OfferId,
        trajectory_id: TrajectoryId,
        requester: AgbCode,
        kind: ReferralKind,
        candidates: &[Candidate],
        now: DateTime<Utc>,
        policy: OfferPolicy,
    ) -> Result<Offer, OfferError> {
        if !(MIN_CANDIDATES..=MAX_CANDIDATES).contains(&candidates.len()) {
            return Err(OfferError::CandidateCount {
                got: candidates.len(),
            });
        }
        for (i, c) in candidates.iter().enumerate() {
            if candidates[..i].iter().any(|d| d.recipient == c.recipient) {
                return Err(OfferError::CandidateTwice {
                    organisation: c.recipient,
                });
            }
        }
        let last_day = add_working_days(now.date_naive(), policy.expiry_working_days);
        let expires_at = start_of(last_day.checked_add_days(Days::new(1)).unwrap_or(last_day));
        Ok(Offer {
            id,
            trajectory_id,
            requester,
            kind,
            status: OfferStatus::Open,
            selected: None,
            expires_at,
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    fn close(&mut self, status: OfferStatus, now: DateTime<Utc>) {
        self.status = status;
        self.updated_at = now;
        self.version += 1;
    }

    /// Candidate `accepted` (one of `candidates`) accepted: the offer selects it and every
    /// other open candidate is cancelled `not_selected`, on behalf of `actor`. Refused when
    /// the offer is no longer open: another candidate was faster, or it expired.
    pub fn select(
        &mut self,
        accepted: ReferralId,
        candidates: &[Referral],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReferralEvent>, OfferError> {
        if self.status != OfferStatus::Open {
            return Err(OfferError::OfferClosed {
                status: self.status,
            });
        }
        self.selected = Some(accepted);
        self.close(OfferStatus::Selected, now);
        Ok(candidates
            .iter()
            .filter(|r| r.id != accepted && r.offer == Some(self.id))
            .filter_map(|r| r.cancel_by_system(NOT_SELECTED_REASON, actor.clone(), now))
            .collect())
    }

    /// At `now`, an open offer past its time expires: the candidates still open are
    /// cancelled `offer_expired`. `None` when it is not due (or no longer open).
    pub fn expire(
        &mut self,
        candidates: &[Referral],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Option<Vec<ReferralEvent>> {
        if self.status != OfferStatus::Open || now < self.expires_at {
            return None;
        }
        self.close(OfferStatus::Expired, now);
        Some(
            candidates
                .iter()
                .filter(|r| r.offer == Some(self.id))
                .filter_map(|r| r.cancel_by_system(EXPIRED_REASON, actor.clone(), now))
                .collect(),
        )
    }

    /// After a candidate's answer: an open offer whose candidates are all closed without
    /// an acceptance is exhausted. Returns whether it changed.
    pub fn settle(&mut self, candidates: &[Referral], now: DateTime<Utc>) -> bool {
        let mine = || candidates.iter().filter(|r| r.offer == Some(self.id));
        if self.status == OfferStatus::Open
            && mine().next().is_some()
            && mine().all(|r| !r.status.is_open() && r.status != ReferralStatus::Completed)
        {
            self.close(OfferStatus::Exhausted, now);
            return true;
        }
        false
    }
}
