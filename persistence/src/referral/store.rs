//! Loading and saving referrals: creation (with consent and duplicate checks), the parties'
//! actions with optimistic concurrency, reads for either party, and the change feeds.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use herstelbrug_domain::VersionMatch;
use herstelbrug_domain::{IdentifiedKind, Identifier};

use crate::identifier;
use crate::identifier::store::IdentifiedObject;
use herstelbrug_domain::routing::{Offer, OfferStatus};
use herstelbrug_domain::{
    Actor, AgbCode, ContinuityPolicy, OfferError, OrgId, Referral, ReferralAction, ReferralCommand,
    ReferralId, ReferralRequest, ReferralStatus, ReferralTerms, TrajectoryId,
};
use sea_orm::QueryTrait as _;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::continuity;
use crate::db::connect::Database;
use crate::db::idempotency::Write;
use crate::db::idempotency::{Replayable, keyed_write};
use crate::db::paging;
use crate::db::write_txn::WriteTxn;
use crate::entity::referral::Column;
use crate::entity::{referral, referral_event};
use crate::error::StoreError;
use crate::feed::signal::FeedSignal;
use crate::feed::{self, FeedPage, FeedQuery};
use crate::referral::load::{
    check_request, involving, lock_offer, own_trajectory, save_system_change, trajectory_referrals,
    with_consent,
};
use crate::referral::row::ReferralRecord;
use crate::referral::row::{referral_event_to_row, referral_from_row, referral_to_row};
use crate::trajectory::row::stored_version;
use herstelbrug_domain::fhir::UpdatedWindow;

/// A referral to request: for the client of `trajectory_id` (a trajectory of `provider`),
/// under the caller's new `id`, with the identifiers the provider gives it.
pub struct NewReferral<'a> {
    pub trajectory_id: TrajectoryId,
    pub provider: AgbCode,
    pub id: ReferralId,
    pub request: ReferralRequest,
    pub identifiers: &'a [Identifier],
}

/// A party's action on referral `id`, taken if its version satisfies `if_match`.
pub struct PartyAction<'a> {
    pub id: ReferralId,
    pub org: OrgId,
    pub if_match: &'a VersionMatch,
    pub command: &'a ReferralCommand,
}

#[derive(Clone, Debug)]
pub struct ReferralStore {
    pub(crate) conn: DatabaseConnection,
    /// For reads outside a write (`Database::reader`).
    reader: DatabaseConnection,
    pub(crate) signal: Arc<FeedSignal>,
    pub(crate) terms: ReferralTerms,
    pub(crate) policy: ContinuityPolicy,
}

impl ReferralStore {
    /// `signal` wakes feed readers; `terms` set the Wmo due dates and how long a closed
    /// trajectory takes follow-up; `policy` the alert rules.
    pub fn new(
        db: &Database,
        signal: Arc<FeedSignal>,
        terms: ReferralTerms,
        policy: ContinuityPolicy,
    ) -> Self {
        Self {
            conn: db.conn.clone(),
            reader: db.reader.clone(),
            signal,
            terms,
            policy,
        }
    }

    /// Refers the client of `trajectory_id` (a trajectory of `provider`).
    pub async fn create(
        &self,
        new: NewReferral<'_>,
        write: Write<'_, ReferralRecord>,
    ) -> Result<Replayable, StoreError> {
        let NewReferral {
            trajectory_id,
            provider,
            id,
            request,
            identifiers,
        } = new;
        let Write { context, respond } = write;
        let (actor, now) = (context.actor.clone(), context.now);
        let respond = |(written, _): &(ReferralRecord, Vec<String>)| respond(written);
        let keyed = keyed_write(&self.conn, &context, &respond, async |txn: &WriteTxn| {
            let trajectory = own_trajectory(txn, trajectory_id, provider).await?;
            let consent = check_request(txn, &trajectory, &request, now).await?;
            let (referral, event) = Referral::request(
                id,
                &trajectory,
                request,
                consent.as_ref(),
                actor,
                now,
                self.terms,
            )?;
            referral::Entity::insert(referral_to_row(&referral))
                .exec_without_returning(txn)
                .await?;
            let object = IdentifiedObject {
                owner: OrgId::Agb(provider),
                kind: IdentifiedKind::Referral,
                resource: id.as_uuid(),
            };
            identifier::store::attach(txn, object, identifiers, now).await?;
            txn.defer(referral_event::Entity::insert(referral_event_to_row(&event)?).into_query());
            let mut woken = feed::append_referral(txn, &referral, event.change.kind(), now).await?;
            woken.extend(
                continuity::evaluate(txn, trajectory_id, now, &self.policy, event.change.kind())
                    .await?,
            );
            let record = ReferralRecord {
                referral,
                consent_holds: true,
            };
            Ok((record, woken))
        })
        .await?;
        if let Some((_, woken)) = &keyed.written {
            self.signal.notify_all(woken);
        }
        Ok(keyed.outcome)
    }

    /// Takes a party's action on a referral `org` takes part in, if its current version satisfies `if_match`.
    pub async fn act(
        &self,
        action: PartyAction<'_>,
        write: Write<'_, ReferralRecord>,
    ) -> Result<Replayable, StoreError> {
        let PartyAction {
            id,
            org,
            if_match,
            command,
        } = action;
        let Write { context, respond } = write;
        let (actor, now) = (context.actor.clone(), context.now);
        let respond = |(written, _): &(ReferralRecord, Vec<String>)| respond(written);
        let keyed = keyed_write(&self.conn, &context, &respond, async |txn: &WriteTxn| {
            let row = referral::Entity::find_by_id(id.as_uuid())
                .filter(involving(org))
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let mut referral = referral_from_row(row)?;
            // A candidate of an offer: take the offer's lock before anything else, so two
            // candidates accepting at once are served one after the other, and read the
            // referral again (the first may have cancelled it).
            let mut offer = match referral.offer {
                Some(offer_id) => {
                    let offer = lock_offer(txn, offer_id).await?;
                    referral = referral::Entity::find_by_id(id.as_uuid())
                        .one(txn)
                        .await?
                        .ok_or(StoreError::NotFound)
                        .and_then(referral_from_row)?;
                    Some(offer)
                }
                None => None,
            };
            if let Some(offer) = &offer
                && command.action == ReferralAction::Accept
            {
                let status = if offer.status == OfferStatus::Open && now >= offer.expires_at {
                    OfferStatus::Expired
                } else {
                    offer.status
                };
                // The selected candidate accepting again is told what its own referral
                // allows (it is accepted already), not that the offer closed.
                if status != OfferStatus::Open && offer.selected != Some(referral.id) {
                    return Err(OfferError::OfferClosed { status }.into());
                }
            }
            let before = referral.version;
            if !if_match.admits(before) {
                return Err(StoreError::VersionMismatch { current: before });
            }
            let party = referral
                .party_of(org, command.action)
                .ok_or(StoreError::NotFound)?;
            let event = referral.decide(command, party, actor, now)?;
            referral.apply(&event, self.terms.clocks);
            let updated = referral::Entity::update_many()
                .set(referral_to_row(&referral))
                .filter(referral::Column::Id.eq(id.as_uuid()))
                .filter(referral::Column::Version.eq(stored_version(before)))
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::VersionMismatch {
                    current: before + 1,
                });
            }
            txn.defer(referral_event::Entity::insert(referral_event_to_row(&event)?).into_query());
            let mut woken = feed::append_referral(txn, &referral, event.change.kind(), now).await?;
            if let Some(offer) = offer.as_mut() {
                woken.extend(
                    self.follow_offer(txn, offer, &referral, &event.actor, now)
                        .await?,
                );
            }
            woken.extend(
                continuity::evaluate(
                    txn,
                    referral.trajectory_id,
                    now,
                    &self.policy,
                    event.change.kind(),
                )
                .await?,
            );
            let holds = feed::consent_holds(txn, std::slice::from_ref(&referral), now).await?;
            let record = ReferralRecord {
                consent_holds: holds.get(&referral.id).copied().unwrap_or(false),
                referral,
            };
            Ok((record, woken))
        })
        .await?;
        if let Some((_, woken)) = &keyed.written {
            self.signal.notify_all(woken);
        }
        Ok(keyed.outcome)
    }

    /// A referral `org` takes part in.
    pub async fn get(
        &self,
        id: ReferralId,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<ReferralRecord, StoreError> {
        let row = referral::Entity::find_by_id(id.as_uuid())
            .filter(involving(org))
            .one(&self.reader)
            .await?
            .ok_or(StoreError::NotFound)?;
        let referral = referral_from_row(row)?;
        let holds = feed::consent_holds(&self.reader, std::slice::from_ref(&referral), now).await?;
        Ok(ReferralRecord {
            consent_holds: holds.get(&referral.id).copied().unwrap_or(false),
            referral,
        })
    }

    /// The referrals of a trajectory of `provider`, oldest first.
    pub async fn for_trajectory(
        &self,
        trajectory_id: TrajectoryId,
        provider: AgbCode,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReferralRecord>, StoreError> {
        own_trajectory(&self.reader, trajectory_id, provider).await?;
        let referrals = trajectory_referrals(&self.reader, trajectory_id).await?;
        with_consent(&self.reader, referrals, now).await
    }

    /// A page of a feed, waiting up to `wait` for a change when it is empty.
    pub async fn feed(
        &self,
        query: &FeedQuery,
        wait: Duration,
        now: impl Fn() -> DateTime<Utc>,
    ) -> Result<FeedPage, StoreError> {
        feed::wait_for(&self.signal, query.org, wait, || {
            feed::read_referrals(&self.reader, query, now())
        })
        .await
    }

    /// After `referral` (a candidate of `offer`) changed: an acceptance selects it and
    /// cancels the other open candidates (`not_selected`); otherwise the offer may now be
    /// exhausted. Returns the organisations to wake.
    async fn follow_offer(
        &self,
        txn: &WriteTxn,
        offer: &mut Offer,
        referral: &Referral,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        let mut candidates = referral::Entity::find()
            .filter(referral::Column::OfferId.eq(offer.id.as_uuid()))
            .all(txn)
            .await?
            .into_iter()
            .map(referral_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let mut woken = Vec::new();
        if referral.status == ReferralStatus::Accepted {
            let events = offer.select(referral.id, &candidates, actor, now)?;
            for event in &events {
                if let Some(other) = candidates.iter_mut().find(|r| r.id == event.referral_id) {
                    woken.extend(save_system_change(txn, other, event, self.terms.clocks).await?);
                }
            }
        } else if !offer.settle(&candidates, now) {
            return Ok(woken);
        }
        crate::continuity::evaluate::save_offer(txn, offer).await?;
        Ok(woken)
    }
}

/// What a referral search asks for; every field that is set must match.
#[derive(Debug, Clone, Default)]
pub struct ReferralSearch {
    pub ids: Option<Vec<ReferralId>>,
    /// An identifier the searching organisation gave the referral.
    pub identifier: Option<Identifier>,
    pub recipient: Option<OrgId>,
    pub requester: Option<OrgId>,
    pub statuses: Option<Vec<ReferralStatus>>,
    pub updated: UpdatedWindow,
    pub after: Option<ReferralId>,
    pub limit: u64,
}

/// A page of a search; `next` is where the following page starts.
#[derive(Debug, Clone)]
pub struct ReferralPage {
    pub items: Vec<ReferralRecord>,
    pub next: Option<ReferralId>,
}

impl ReferralStore {
    /// The referrals `party` takes part in that match `search`, oldest first.
    pub async fn search(
        &self,
        party: OrgId,
        search: &ReferralSearch,
        now: DateTime<Utc>,
    ) -> Result<ReferralPage, StoreError> {
        let mut select = referral::Entity::find().filter(involving(party));
        if let Some(ids) = &search.ids {
            select = select.filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())));
        }
        if let Some(identifier) = &search.identifier {
            select = select.filter(Column::Id.in_subquery(identifier::store::holders(
                party,
                IdentifiedKind::Referral,
                identifier,
            )));
        }
        if let Some(recipient) = search.recipient {
            select = select.filter(Column::Recipient.eq(recipient.to_string()));
        }
        if let Some(requester) = search.requester {
            select = select.filter(Column::Requester.eq(requester.to_string()));
        }
        if let Some(statuses) = &search.statuses {
            select = select.filter(Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
        }
        if let Some(from) = search.updated.from {
            select = select.filter(Column::UpdatedAt.gte(from));
        }
        if let Some(before) = search.updated.before {
            select = select.filter(Column::UpdatedAt.lt(before));
        }
        if let Some(after) = search.after {
            select = select.filter(Column::Id.gt(after.as_uuid()));
        }
        let (referrals, more) = paging::page(
            select,
            Column::Id,
            search.limit,
            &self.conn,
            referral_from_row,
        )
        .await?;
        let next = more.then(|| referrals.last().map(|r| r.id)).flatten();
        Ok(ReferralPage {
            items: with_consent(&self.conn, referrals, now).await?,
            next,
        })
    }
}
