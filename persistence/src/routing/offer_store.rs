//! Offers: one request for one kind of support sent to 2 to 5 candidates at once, each
//! candidate a referral of the group, created in one transaction (consent, registry,
//! service and duplicate checks for every candidate, or nothing). Selecting and expiring
//! happen where referrals change (`ReferralStore::act`) and where rules run (continuity).

use chrono::{DateTime, Utc};
use herstelbrug_domain::routing::{Candidate, Offer, OfferPolicy};
use herstelbrug_domain::{
    AgbCode, BoundedText, ClientContact, OfferId, Referral, ReferralId, ReferralKind,
    ReferralRequest, ReferrerContact, TrajectoryId,
};
use sea_orm::QueryTrait as _;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::continuity;
use crate::db::connect::Database;
use crate::db::idempotency::Write;
use crate::db::idempotency::{Replayable, keyed_write};
use crate::db::write_txn::WriteTxn;
use crate::entity::{offer, referral, referral_event};
use crate::error::StoreError;
use crate::feed::signal::FeedSignal;
use crate::feed::{self};
use crate::referral::load::{check_request, own_trajectory, trajectory_referrals, with_consent};
use crate::referral::row::ReferralRecord;
use crate::referral::row::{referral_event_to_row, referral_from_row, referral_to_row};
use crate::routing::offer_row::{offer_from_row, offer_to_row};
use herstelbrug_domain::{ContinuityPolicy, ReferralTerms};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What a provider supplies to offer the client of one of its trajectories to several
/// candidates, and how long the offer waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffer {
    pub trajectory_id: TrajectoryId,
    pub provider: AgbCode,
    pub policy: OfferPolicy,
    pub kind: ReferralKind,
    pub candidates: Vec<Candidate>,
    pub needs: Option<BoundedText>,
    pub life_domains: Vec<herstelbrug_domain::LifeDomain>,
    pub requested_start_on: Option<chrono::NaiveDate>,
    pub client: ClientContact,
    pub referrer: ReferrerContact,
}

/// An offer with its candidates (oldest first), as the requester sees the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferRecord {
    pub offer: Offer,
    pub candidates: Vec<ReferralRecord>,
}

async fn load<C: ConnectionTrait>(
    conn: &C,
    id: OfferId,
    provider: AgbCode,
    now: DateTime<Utc>,
) -> Result<OfferRecord, StoreError> {
    let offer = offer::Entity::find_by_id(id.as_uuid())
        .filter(offer::Column::Requester.eq(provider.to_string()))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(offer_from_row)?;
    let referrals = referral::Entity::find()
        .filter(referral::Column::OfferId.eq(id.as_uuid()))
        .order_by_asc(referral::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(referral_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OfferRecord {
        offer,
        candidates: with_consent(conn, referrals, now).await?,
    })
}

/// Offers to several candidates: creating one (a referral per candidate) and reading them.
#[derive(Clone, Debug)]
pub struct OfferStore {
    conn: DatabaseConnection,
    signal: Arc<FeedSignal>,
    terms: ReferralTerms,
    policy: ContinuityPolicy,
}

impl OfferStore {
    /// `signal` wakes feed readers; `terms` and `policy` as the referral store's.
    pub fn new(
        db: &Database,
        signal: Arc<FeedSignal>,
        terms: ReferralTerms,
        policy: ContinuityPolicy,
    ) -> Self {
        Self {
            conn: db.conn.clone(),
            signal,
            terms,
            policy,
        }
    }

    /// Offers the client of `new.trajectory_id` (a trajectory of `new.provider`) to every
    /// candidate of `new` at once.
    pub async fn create_offer(
        &self,
        new: NewOffer,
        write: Write<'_, OfferRecord>,
    ) -> Result<Replayable, StoreError> {
        let Write { context, respond } = write;
        let (actor, now) = (context.actor.clone(), context.now);
        let respond = |(written, _): &(OfferRecord, Vec<String>)| respond(written);
        let keyed = keyed_write(&self.conn, &context, &respond, async |txn: &WriteTxn| {
            let mut woken = Vec::new();
            let trajectory = own_trajectory(txn, new.trajectory_id, new.provider).await?;
            let offer = Offer::new(
                OfferId::new_at(now),
                new.trajectory_id,
                new.provider,
                new.kind,
                &new.candidates,
                now,
                new.policy,
            )?;
            offer::Entity::insert(offer_to_row(&offer))
                .exec_without_returning(txn)
                .await?;
            // Every step names who took it.
            crate::entity::trajectory_step::Entity::insert(crate::team::row::step_row(
                new.trajectory_id,
                "offer_created",
                serde_json::json!({"offer_id": offer.id.to_string(), "kind": offer.kind.as_str(),
                                   "status": offer.status.as_str()}),
                &actor,
                now,
            ))
            .exec_without_returning(txn)
            .await?;
            let mut candidates = Vec::new();
            for candidate in &new.candidates {
                let request = ReferralRequest {
                    kind: new.kind,
                    recipient: candidate.recipient,
                    needs: new.needs.clone(),
                    life_domains: new.life_domains.clone(),
                    requested_start_on: new.requested_start_on,
                    client: new.client.clone(),
                    referrer: new.referrer.clone(),
                    service: candidate.service,
                };
                let consent = check_request(txn, &trajectory, &request, now).await?;
                let (mut referral, event) = Referral::request(
                    ReferralId::new_at(now),
                    &trajectory,
                    request,
                    consent.as_ref(),
                    actor.clone(),
                    now,
                    self.terms,
                )?;
                referral.offer = Some(offer.id);
                referral::Entity::insert(referral_to_row(&referral))
                    .exec_without_returning(txn)
                    .await?;
                txn.defer(
                    referral_event::Entity::insert(referral_event_to_row(&event)?).into_query(),
                );
                woken
                    .extend(feed::append_referral(txn, &referral, event.change.kind(), now).await?);
                candidates.push(ReferralRecord {
                    referral,
                    consent_holds: true,
                });
            }
            woken.extend(
                continuity::evaluate(txn, new.trajectory_id, now, &self.policy, "offer_created")
                    .await?,
            );
            let record = OfferRecord { offer, candidates };
            woken.sort();
            woken.dedup();
            Ok((record, woken))
        })
        .await?;
        if let Some((_, woken)) = &keyed.written {
            self.signal.notify_all(woken);
        }
        Ok(keyed.outcome)
    }

    /// An offer of `provider` with its candidates.
    pub async fn offer(
        &self,
        id: OfferId,
        provider: AgbCode,
        now: DateTime<Utc>,
    ) -> Result<OfferRecord, StoreError> {
        load(&self.conn, id, provider, now).await
    }

    /// The offers of a trajectory of `provider`, oldest first, each with its candidates.
    pub async fn offers_for_trajectory(
        &self,
        trajectory_id: TrajectoryId,
        provider: AgbCode,
        now: DateTime<Utc>,
    ) -> Result<Vec<OfferRecord>, StoreError> {
        // Three queries whatever the number of offers: the offers, the trajectory's
        // referrals (candidates among them), and consent for all of them.
        own_trajectory(&self.conn, trajectory_id, provider).await?;
        let offers = offer::Entity::find()
            .filter(offer::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
            .filter(offer::Column::Requester.eq(provider.to_string()))
            .order_by_asc(offer::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(offer_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let referrals = trajectory_referrals(&self.conn, trajectory_id).await?;
        let candidates: Vec<ReferralRecord> = with_consent(
            &self.conn,
            referrals
                .into_iter()
                .filter(|r| r.offer.is_some())
                .collect(),
            now,
        )
        .await?;
        Ok(offers
            .into_iter()
            .map(|offer| OfferRecord {
                candidates: candidates
                    .iter()
                    .filter(|c| c.referral.offer == Some(offer.id))
                    .cloned()
                    .collect(),
                offer,
            })
            .collect())
    }
}
