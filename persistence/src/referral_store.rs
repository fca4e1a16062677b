//! Loading and saving referrals: creation (with consent and duplicate checks), the parties'
//! actions with optimistic concurrency, reads for either party, and the change feeds.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use herstelbrug_domain::OfferId;
use herstelbrug_domain::VersionMatch;
use herstelbrug_domain::{IdentifiedKind, Identifier};

use crate::identifier_store::{self, IdentifiedObject};
use herstelbrug_domain::routing::{Offer, OfferStatus};
use herstelbrug_domain::{
    Actor, AgbCode, Consent, ContinuityPolicy, DomainError, OrgId, Referral, ReferralAction,
    ReferralCommand, ReferralEvent, ReferralId, ReferralRequest, ReferralStatus, ReferralTerms,
    Trajectory, TrajectoryId, WmoClocks, referral::needs_consent,
};
use sea_orm::QueryTrait as _;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::access_log::AccessRecord;
use crate::connect::{Database, begin_write};
use crate::continuity;
use crate::entity::{consent, offer, referral, referral_event, trajectory};
use crate::error::StoreError;
use crate::feed::{self, FeedPage, FeedQuery};
use crate::feed_signal::FeedSignal;
use crate::idempotency::{self, IdempotencyKey, Replayable, Respond, finish, replay};
use crate::offer_row::offer_from_row;
use crate::referral_row::{
    consent_from_row, referral_event_to_row, referral_from_row, referral_to_row,
};
use crate::trajectory_row::{stored_version, trajectory_from_row};
use crate::write_txn::WriteTxn;

/// A referral with whether the client's consent for its recipient holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRecord {
    pub referral: Referral,
    pub consent_holds: bool,
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

const OPEN: [ReferralStatus; 5] = [
    ReferralStatus::Requested,
    ReferralStatus::Received,
    ReferralStatus::UnderAssessment,
    ReferralStatus::Accepted,
    ReferralStatus::InProgress,
];

/// Referrals `org` takes part in, as requester or recipient.
pub(crate) fn involving(org: OrgId) -> Condition {
    let mut condition = Condition::any().add(referral::Column::Recipient.eq(org.to_string()));
    if let OrgId::Agb(_) = org {
        condition = condition.add(referral::Column::Requester.eq(org.to_string()));
    }
    condition
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
    #[allow(clippy::too_many_arguments)]
    pub async fn create(
        &self,
        trajectory_id: TrajectoryId,
        provider: AgbCode,
        id: ReferralId,
        request: ReferralRequest,
        identifiers: &[Identifier],
        actor: Actor,
        now: DateTime<Utc>,
        audit: &AccessRecord,
        key: Option<&IdempotencyKey>,
        respond: Respond<'_, ReferralRecord>,
    ) -> Result<Replayable, StoreError> {
        let mut woken = Vec::new();
        let attempt = async {
            let txn = begin_write(&self.conn).await?;
            if let Some(stored) = replay(&txn, key).await? {
                return Ok(Replayable::Replayed(stored));
            }
            let trajectory = own_trajectory(&txn, trajectory_id, provider).await?;
            let consent = check_request(&txn, &trajectory, &request, now).await?;
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
                .exec_without_returning(&txn)
                .await?;
            let object = IdentifiedObject {
                owner: OrgId::Agb(provider),
                kind: IdentifiedKind::Referral,
                resource: id.as_uuid(),
            };
            identifier_store::attach(&txn, object, identifiers, now).await?;
            txn.defer(referral_event::Entity::insert(referral_event_to_row(&event)?).into_query());
            woken = feed::append_referral(&txn, &referral, event.change.kind(), now).await?;
            woken.extend(
                continuity::evaluate(&txn, trajectory_id, now, &self.policy, event.change.kind())
                    .await?,
            );
            let record = ReferralRecord {
                referral,
                consent_holds: true,
            };
            finish(txn, key, respond(&record), now, audit).await
        }
        .await;
        if attempt.is_ok() {
            self.wake(&woken);
        }
        idempotency::settle(&self.conn, attempt, key).await
    }

    /// Takes a party's action on a referral `org` takes part in, if its current version satisfies `if_match`.
    #[allow(clippy::too_many_arguments)]
    pub async fn act(
        &self,
        id: ReferralId,
        org: OrgId,
        if_match: &VersionMatch,
        command: &ReferralCommand,
        actor: Actor,
        now: DateTime<Utc>,
        audit: &AccessRecord,
        key: Option<&IdempotencyKey>,
        respond: Respond<'_, ReferralRecord>,
    ) -> Result<Replayable, StoreError> {
        let mut woken = Vec::new();
        let attempt = async {
            let txn = begin_write(&self.conn).await?;
            if let Some(stored) = replay(&txn, key).await? {
                return Ok(Replayable::Replayed(stored));
            }
            let row = referral::Entity::find_by_id(id.as_uuid())
                .filter(involving(org))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let mut referral = referral_from_row(row)?;
            // A candidate of an offer: take the offer's lock before anything else, so two
            // candidates accepting at once are served one after the other, and read the
            // referral again (the first may have cancelled it).
            let mut offer = match referral.offer {
                Some(offer_id) => {
                    let offer = lock_offer(&txn, offer_id).await?;
                    referral = referral::Entity::find_by_id(id.as_uuid())
                        .one(&txn)
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
                    return Err(DomainError::OfferClosed { status }.into());
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
                .exec(&txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::VersionMismatch {
                    current: before + 1,
                });
            }
            txn.defer(referral_event::Entity::insert(referral_event_to_row(&event)?).into_query());
            woken = feed::append_referral(&txn, &referral, event.change.kind(), now).await?;
            if let Some(offer) = offer.as_mut() {
                woken.extend(
                    self.follow_offer(&txn, offer, &referral, &event.actor, now)
                        .await?,
                );
            }
            woken.extend(
                continuity::evaluate(
                    &txn,
                    referral.trajectory_id,
                    now,
                    &self.policy,
                    event.change.kind(),
                )
                .await?,
            );
            let holds = feed::consent_holds(&txn, std::slice::from_ref(&referral), now).await?;
            let record = ReferralRecord {
                consent_holds: holds.get(&referral.id).copied().unwrap_or(false),
                referral,
            };
            finish(txn, key, respond(&record), now, audit).await
        }
        .await;
        if attempt.is_ok() {
            self.wake(&woken);
        }
        idempotency::settle(&self.conn, attempt, key).await
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
        crate::continuity::save_offer(txn, offer).await?;
        Ok(woken)
    }

    pub(crate) fn wake(&self, orgs: &[String]) {
        for org in orgs {
            self.signal.notify(org);
        }
    }
}

/// Every referral of a trajectory, oldest first.
pub(crate) async fn trajectory_referrals<C: ConnectionTrait>(
    conn: &C,
    trajectory_id: TrajectoryId,
) -> Result<Vec<Referral>, StoreError> {
    referral::Entity::find()
        .filter(referral::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
        .order_by_asc(referral::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(referral_from_row)
        .collect()
}

/// Referrals with whether consent for each recipient holds now (one query for all).
pub(crate) async fn with_consent<C: ConnectionTrait>(
    conn: &C,
    referrals: Vec<Referral>,
    now: DateTime<Utc>,
) -> Result<Vec<ReferralRecord>, StoreError> {
    let holds = feed::consent_holds(conn, &referrals, now).await?;
    Ok(referrals
        .into_iter()
        .map(|referral| ReferralRecord {
            consent_holds: holds.get(&referral.id).copied().unwrap_or(false),
            referral,
        })
        .collect())
}

/// Trajectory `trajectory_id` if `provider` treats the client; 404 for anyone else.
pub(crate) async fn own_trajectory<C: ConnectionTrait>(
    conn: &C,
    trajectory_id: TrajectoryId,
    provider: AgbCode,
) -> Result<Trajectory, StoreError> {
    trajectory::Entity::find_by_id(trajectory_id.as_uuid())
        .filter(trajectory::Column::TreatingProvider.eq(provider.to_string()))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(trajectory_from_row)
}

/// `offer_id`'s offer, locked for this transaction (PostgreSQL; SQLite's one writer
/// holds the database already).
pub(crate) async fn lock_offer(txn: &WriteTxn, offer_id: OfferId) -> Result<Offer, StoreError> {
    offer::Entity::find_by_id(offer_id.as_uuid())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(offer_from_row)
}

/// Stores a change the system made to `referral` (a cancellation: consent withdrawn, not
/// selected, offer expired): the row at its new version, the event, and feed entries (and
/// so webhooks) to both parties. Returns the organisations to wake.
pub(crate) async fn save_system_change(
    txn: &WriteTxn,
    referral: &mut Referral,
    event: &ReferralEvent,
    clocks: WmoClocks,
) -> Result<Vec<String>, StoreError> {
    let before = referral.version;
    referral.apply(event, clocks);
    let updated = referral::Entity::update_many()
        .set(referral_to_row(referral))
        .filter(referral::Column::Id.eq(referral.id.as_uuid()))
        .filter(referral::Column::Version.eq(stored_version(before)))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(StoreError::VersionMismatch {
            current: before + 1,
        });
    }
    txn.defer(referral_event::Entity::insert(referral_event_to_row(event)?).into_query());
    feed::append_referral(txn, referral, event.change.kind(), event.recorded_at).await
}

/// What must hold before `trajectory`'s provider may ask `request.recipient`: the client's
/// consent (returned), a registered recipient, a service that takes the referral, and no
/// open referral of the same kind to the same recipient.
pub(crate) async fn check_request(
    txn: &WriteTxn,
    trajectory: &Trajectory,
    request: &ReferralRequest,
    now: DateTime<Utc>,
) -> Result<Option<Consent>, StoreError> {
    let trajectory_id = trajectory.id;
    let consent = if needs_consent(trajectory.treating_provider, request.recipient) {
        current_consent(txn, trajectory_id, request.recipient, now).await?
    } else {
        None
    };
    crate::organisation_store::check_registered(txn, request.recipient, |organisation| {
        DomainError::UnregisteredRecipient { organisation }
    })
    .await?;
    if let Some(service) = request.service {
        crate::catalog_store::check_takes_referral(txn, service, request.recipient, request.kind)
            .await?;
    }
    let open = referral::Entity::find()
        .filter(referral::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
        .filter(referral::Column::Kind.eq(request.kind.as_str()))
        .filter(referral::Column::Recipient.eq(request.recipient.to_string()))
        .filter(referral::Column::Status.is_in(OPEN.iter().map(|s| s.as_str())))
        .one(txn)
        .await?;
    if let Some(existing) = open {
        return Err(StoreError::OpenReferralExists {
            existing: ReferralId::from_uuid(existing.id),
        });
    }
    Ok(consent)
}

/// The consent for `organisation` on a trajectory that holds on `now`'s date, if any.
pub(crate) async fn current_consent<C: ConnectionTrait>(
    conn: &C,
    trajectory_id: TrajectoryId,
    organisation: OrgId,
    now: DateTime<Utc>,
) -> Result<Option<Consent>, StoreError> {
    let rows = consent::Entity::find()
        .filter(consent::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
        .filter(consent::Column::Organisation.eq(organisation.to_string()))
        .filter(consent::Column::WithdrawnAt.is_null())
        .all(conn)
        .await?;
    for row in rows {
        let consent = consent_from_row(row)?;
        if consent.covers(organisation, now.date_naive()) {
            return Ok(Some(consent));
        }
    }
    Ok(None)
}
