//! Recording and withdrawing a client's consent. Withdrawal cancels the open referrals to
//! that organisation (it may no longer see the client) and puts a change in the feeds of
//! every affected referral, so recipients drop the client's details at once.

use herstelbrug_domain::VersionMatch;
use herstelbrug_domain::{
    AgbCode, BoundedText, Consent, ConsentGrant, ConsentId, OrgId, Referral, TrajectoryId,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::continuity;
use crate::db::connect::Database;
use crate::db::idempotency::{Replayable, Respond, WriteContext, keyed_write};
use crate::db::write_txn::WriteTxn;
use crate::entity::{alert, consent, referral, trajectory};
use crate::error::StoreError;
use crate::feed;
use crate::feed::signal::FeedSignal;
use crate::referral::row::{consent_from_row, consent_to_row, referral_from_row};
use herstelbrug_domain::{ContinuityPolicy, ReferralTerms};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

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

/// What withdrawing a consent may change.
pub struct Withdrawal {
    pub trajectory_id: TrajectoryId,
    pub consent_id: ConsentId,
    pub provider: AgbCode,
    /// The versions the caller's `If-Match` admits.
    pub if_match: VersionMatch,
    pub reason: Option<BoundedText>,
}

/// Consents of a provider's trajectories: recording, withdrawing (which cancels the referrals it covered) and reading them.
#[derive(Clone, Debug)]
pub struct ConsentStore {
    conn: DatabaseConnection,
    signal: Arc<FeedSignal>,
    terms: ReferralTerms,
    policy: ContinuityPolicy,
}

impl ConsentStore {
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

    /// Records consent on a trajectory of `provider`.
    pub async fn record_consent(
        &self,
        trajectory_id: TrajectoryId,
        provider: AgbCode,
        grant: ConsentGrant,
        write: WriteContext<'_>,
        respond: Respond<'_, Consent>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let respond = |(consent, _): &(Consent, Vec<String>)| respond(consent);
        let keyed = keyed_write(&self.conn, &write, &respond, async |txn: &WriteTxn| {
            own_trajectory(txn, trajectory_id, provider).await?;
            let consent = Consent::record(
                ConsentId::new_at(now),
                trajectory_id,
                grant,
                write.actor.clone(),
                now,
            )?;
            // Written at once, not deferred: the rules below read it (a consent naming the
            // client's municipality shares the open gap alerts with it).
            consent::Entity::insert(consent_to_row(&consent))
                .exec_without_returning(txn)
                .await?;
            let woken =
                continuity::evaluate(txn, trajectory_id, now, &self.policy, "consent_recorded")
                    .await?;
            Ok((consent, woken))
        })
        .await?;
        if let Some((_, woken)) = &keyed.written {
            self.signal.notify_all(woken);
        }
        Ok(keyed.outcome)
    }

    /// Withdraws a consent of a trajectory of `provider`, if its current version satisfies `if_match`,
    /// and cancels the open referrals to that organisation.
    pub async fn withdraw_consent(
        &self,
        withdrawal: Withdrawal,
        write: WriteContext<'_>,
        respond: Respond<'_, Consent>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let respond = |(consent, _): &(Consent, Vec<String>)| respond(consent);
        let keyed = keyed_write(&self.conn, &write, &respond, async |txn: &WriteTxn| {
            let Withdrawal {
                trajectory_id,
                consent_id,
                provider,
                if_match,
                reason,
            } = withdrawal;
            own_trajectory(txn, trajectory_id, provider).await?;
            let row = consent::Entity::find_by_id(consent_id.as_uuid())
                .filter(consent::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let mut consent = consent_from_row(row)?;
            if !if_match.admits(consent.version()) {
                return Err(StoreError::VersionMismatch {
                    current: consent.version(),
                });
            }
            consent.withdraw(write.actor.clone(), reason, now)?;
            let updated = consent::Entity::update_many()
                .set(consent_to_row(&consent))
                .filter(consent::Column::Id.eq(consent_id.as_uuid()))
                .filter(consent::Column::WithdrawnAt.is_null())
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::VersionMismatch {
                    current: consent.version(),
                });
            }
            let woken = self.cancel_for_withdrawal(txn, &consent, &write).await?;
            Ok((consent, woken))
        })
        .await?;
        if let Some((_, woken)) = &keyed.written {
            self.signal.notify_all(woken);
        }
        Ok(keyed.outcome)
    }

    /// Every referral to the consent's organisation changes how it may be seen: both
    /// feeds hear it, and the open ones are cancelled (`consent_withdrawn`), with a feed
    /// change and webhook to both parties. Returns the organisations to wake.
    async fn cancel_for_withdrawal(
        &self,
        txn: &WriteTxn,
        consent: &Consent,
        write: &WriteContext<'_>,
    ) -> Result<Vec<String>, StoreError> {
        let affected = referral::Entity::find()
            .filter(referral::Column::TrajectoryId.eq(consent.trajectory_id.as_uuid()))
            .filter(referral::Column::Recipient.eq(consent.organisation.to_string()))
            .all(txn)
            .await?;
        let mut woken = Vec::new();
        let mut cancelled = false;
        for row in affected {
            let mut referral: Referral = referral_from_row(row)?;
            woken
                .extend(feed::append_referral(txn, &referral, CONSENT_WITHDRAWN, write.now).await?);
            let Some(event) = referral.cancel_for_withdrawn_consent(write.actor.clone(), write.now)
            else {
                continue;
            };
            woken.extend(
                crate::referral::load::save_system_change(
                    txn,
                    &mut referral,
                    &event,
                    self.terms.clocks,
                )
                .await?,
            );
            cancelled = true;
        }
        stop_informing(txn, consent, write.now).await?;
        // Always: a withdrawn consent for the client's municipality stops sharing its
        // gap alerts even when no referral was open.
        let cause = if cancelled {
            "referral_cancelled"
        } else {
            "consent_withdrawn"
        };
        woken.extend(
            continuity::evaluate(txn, consent.trajectory_id, write.now, &self.policy, cause)
                .await?,
        );
        Ok(woken)
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

    /// One consent recorded on a trajectory of `provider`.
    pub async fn consent(
        &self,
        trajectory_id: TrajectoryId,
        consent_id: ConsentId,
        provider: AgbCode,
    ) -> Result<Consent, StoreError> {
        own_trajectory(&self.conn, trajectory_id, provider).await?;
        consent::Entity::find_by_id(consent_id.as_uuid())
            .filter(consent::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)
            .and_then(consent_from_row)
    }
}

/// A municipality whose consent is withdrawn (and no other consent of the client still
/// names it) stops reading the client's alerts at once, the resolved ones too: only the
/// unresolved ones are reconciled, so the flag of the others is cleared here. Run at once
/// rather than deferred, so reconciling's own update of an alert comes after it.
async fn stop_informing(
    txn: &WriteTxn,
    withdrawn: &Consent,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    use sea_orm::sea_query::Expr;
    if !matches!(withdrawn.organisation, OrgId::Gemeente(_)) {
        return Ok(());
    }
    let organisation = withdrawn.organisation.to_string();
    let today = now.date_naive();
    let others = consent::Entity::find()
        .filter(consent::Column::TrajectoryId.eq(withdrawn.trajectory_id.as_uuid()))
        .filter(consent::Column::Organisation.eq(organisation.as_str()))
        .filter(consent::Column::WithdrawnAt.is_null())
        .filter(consent::Column::Id.ne(withdrawn.id.as_uuid()))
        .all(txn)
        .await?
        .into_iter()
        .map(consent_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if others
        .iter()
        .any(|c| c.covers(withdrawn.organisation, today))
    {
        return Ok(());
    }
    alert::Entity::update_many()
        .col_expr(alert::Column::InformsMunicipality, Expr::value(false))
        .filter(alert::Column::TrajectoryId.eq(withdrawn.trajectory_id.as_uuid()))
        .filter(alert::Column::Municipality.eq(organisation.as_str()))
        .filter(alert::Column::InformsMunicipality.eq(true))
        .exec(txn)
        .await?;
    Ok(())
}
