//! Loading and saving referrals inside a caller's transaction, for every capability that
//! touches them (the referral store itself, consents, offers, the continuity rules): no
//! store here, so none of them needs another's store to reach a referral.

use chrono::{DateTime, Utc};
use herstelbrug_domain::OfferId;

use herstelbrug_domain::routing::Offer;
use herstelbrug_domain::{
    AgbCode, Consent, OrgId, Referral, ReferralError, ReferralEvent, ReferralId, ReferralRequest,
    ReferralStatus, Trajectory, TrajectoryId, WmoClocks, referral::needs_consent,
};
use sea_orm::QueryTrait as _;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::db::write_txn::WriteTxn;
use crate::entity::{consent, offer, referral, referral_event, trajectory};
use crate::error::StoreError;
use crate::feed::{self};
use crate::referral::row::{
    ReferralRecord, consent_from_row, referral_event_to_row, referral_from_row, referral_to_row,
};
use crate::routing::offer_row::offer_from_row;
use crate::trajectory::row::{stored_version, trajectory_from_row};

pub(crate) const OPEN: [ReferralStatus; 5] = [
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
    crate::catalog::organisation::check_registered(txn, request.recipient, |organisation| {
        ReferralError::UnregisteredRecipient { organisation }.into()
    })
    .await?;
    if let Some(service) = request.service {
        crate::catalog::store::check_takes_referral(txn, service, request.recipient, request.kind)
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
