//! Recording and withdrawing a client's consent. Withdrawal also puts a change in the
//! feeds of the affected referrals, so recipients drop the client's details at once.

use chrono::{DateTime, Utc};
use herstelbrug_domain::{
    Actor, AgbCode, BoundedText, Consent, ConsentGrant, ConsentId, TrajectoryId,
};
use sea_orm::QueryTrait as _;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::access_log::{self, AccessRecord};
use crate::connect::begin_write;
use crate::entity::{consent, referral, trajectory};
use crate::error::StoreError;
use crate::feed;
use crate::referral_row::{consent_from_row, consent_to_row, referral_from_row};
use crate::referral_store::ReferralStore;

/// The feed change that tells a recipient to drop the client's details.
pub const CONSENT_WITHDRAWN: &str = "consent_withdrawn";

async fn own_trajectory<C: ConnectionTrait>(
    conn: &C,
    trajectory_id: TrajectoryId,
    provider: AgbCode,
) -> Result<(), StoreError> {
    trajectory::Entity::find_by_id(trajectory_id.as_uuid())
        .filter(trajectory::Column::TreatingProvider.eq(provider.to_string()))
        .one(conn)
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
}

impl ReferralStore {
    /// Records consent on a trajectory of `provider`.
    pub async fn record_consent(
        &self,
        trajectory_id: TrajectoryId,
        provider: AgbCode,
        grant: ConsentGrant,
        actor: Actor,
        now: DateTime<Utc>,
        audit: &AccessRecord,
    ) -> Result<Consent, StoreError> {
        let txn = begin_write(&self.conn).await?;
        own_trajectory(&txn, trajectory_id, provider).await?;
        let consent = Consent::record(ConsentId::new_at(now), trajectory_id, grant, actor, now)?;
        txn.defer(consent::Entity::insert(consent_to_row(&consent)).into_query());
        access_log::defer(&txn, audit, audit.status, now);
        txn.commit().await?;
        Ok(consent)
    }

    /// Withdraws a consent of a trajectory of `provider`.
    #[allow(clippy::too_many_arguments)]
    pub async fn withdraw_consent(
        &self,
        trajectory_id: TrajectoryId,
        consent_id: ConsentId,
        provider: AgbCode,
        actor: Actor,
        reason: Option<BoundedText>,
        now: DateTime<Utc>,
        audit: &AccessRecord,
    ) -> Result<Consent, StoreError> {
        let txn = begin_write(&self.conn).await?;
        own_trajectory(&txn, trajectory_id, provider).await?;
        let row = consent::Entity::find_by_id(consent_id.as_uuid())
            .filter(consent::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut consent = consent_from_row(row)?;
        consent.withdraw(actor.clone(), reason, now)?;
        consent::Entity::update(consent_to_row(&consent))
            .exec(&txn)
            .await?;
        // Every referral to that organisation changes how it may be seen: tell both feeds.
        let affected = referral::Entity::find()
            .filter(referral::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
            .filter(referral::Column::Recipient.eq(consent.organisation.to_string()))
            .all(&txn)
            .await?;
        let mut woken = Vec::new();
        for row in affected {
            let referral = referral_from_row(row)?;
            woken.extend(feed::append_referral(&txn, &referral, CONSENT_WITHDRAWN, now).await?);
        }
        access_log::defer(&txn, audit, audit.status, now);
        txn.commit().await?;
        self.wake(&woken);
        Ok(consent)
    }

    /// The consents recorded on a trajectory of `provider`, oldest first.
    pub async fn consents(
        &self,
        trajectory_id: TrajectoryId,
        provider: AgbCode,
    ) -> Result<Vec<Consent>, StoreError> {
        own_trajectory(&self.conn, trajectory_id, provider).await?;
        consent::Entity::find()
            .filter(consent::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
            .order_by_asc(consent::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(consent_from_row)
            .collect()
    }
}
