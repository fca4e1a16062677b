//! Running the continuity rules inside a writing transaction: load the trajectory, its
//! referrals and unresolved alerts, reconcile, store the alert changes and their feed
//! entries, and set the trajectory's timer to its next deadline.

use chrono::{DateTime, Utc};
use herstelbrug_domain::routing::Offer;
use herstelbrug_domain::{
    Actor, Alert, AlertChange, AlertId, ContinuityPolicy, OrgId, Situation, Subject, TrajectoryId,
    WmoClocks, continuity, figures,
};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryTrait as _;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};

use crate::continuity::alert_row::{alert_from_row, alert_to_row};
use crate::db::write_txn::WriteTxn;
use crate::entity::{alert, offer, timer, trajectory};
use crate::error::StoreError;
use crate::feed::{self, Stream};
use crate::referral::load::{current_consent, save_system_change};
use crate::routing::offer_row::{offer_from_row, offer_to_row};
use crate::trajectory::row::trajectory_from_row;

/// Re-evaluates `trajectory_id`'s rules at `now` because of `cause`; returns the
/// organisations whose alert feeds changed (to wake after commit).
pub(crate) async fn evaluate(
    txn: &WriteTxn,
    trajectory_id: TrajectoryId,
    now: DateTime<Utc>,
    policy: &ContinuityPolicy,
    cause: &str,
) -> Result<Vec<String>, StoreError> {
    // The row lock serialises evaluations of one trajectory (PostgreSQL; SQLite has one
    // writer anyway), so two concurrent changes cannot both open the same alert.
    let Some(row) = trajectory::Entity::find_by_id(trajectory_id.as_uuid())
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(Vec::new());
    };
    evaluate_loaded(txn, &trajectory_from_row(row)?, now, policy, cause).await
}

/// As `evaluate`, for a caller that has just written `trajectory` in this transaction
/// (so it already holds the row's lock) and need not read it back.
pub(crate) async fn evaluate_loaded(
    txn: &WriteTxn,
    trajectory: &herstelbrug_domain::Trajectory,
    now: DateTime<Utc>,
    policy: &ContinuityPolicy,
    cause: &str,
) -> Result<Vec<String>, StoreError> {
    let trajectory_id = trajectory.id;
    // Referrals and alerts are never deferred writes, so these reads need not wait for them.
    let mut referrals =
        crate::referral::load::trajectory_referrals(txn.unflushed(), trajectory_id).await?;
    // Offers, meetings and outcome checks matter only to some paths: read each only when
    // it can (a trajectory's hot path stays at the queries it had).
    let mut offers = if referrals.iter().any(|r| r.offer.is_some()) {
        offer::Entity::find()
            .filter(offer::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
            .all(txn.unflushed())
            .await?
            .into_iter()
            .map(offer_from_row)
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let mut woken = expire_offers(txn, trajectory, &mut offers, &mut referrals, now).await?;
    let current = alert::Entity::find()
        .filter(alert::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
        .filter(
            Condition::any()
                .add(alert::Column::Status.ne("resolved"))
                .add(alert::Column::Suppressing.eq(true)),
        )
        .all(txn.unflushed())
        .await?
        .into_iter()
        .map(alert_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let meetings = if trajectory.phase.in_treatment()
        && referrals.iter().any(|r| r.status.is_follow_up_in_place())
    {
        crate::team::store::trajectory_meetings(txn.unflushed(), trajectory_id).await?
    } else {
        Vec::new()
    };
    let outcome_checks = if trajectory.phase == herstelbrug_domain::Phase::Closed {
        crate::aftercare::store::trajectory_checks(txn.unflushed(), trajectory_id).await?
    } else {
        Vec::new()
    };
    let mut situation = Situation {
        trajectory,
        referrals: &referrals,
        offers: &offers,
        meetings: &meetings,
        outcome_checks: &outcome_checks,
        resident_consent: false,
    };
    // Only a gap alert the municipality could receive needs the client's consent for it;
    // most changes (a transition in treatment, an answer to a referral) do without.
    let sharing_at_stake = current
        .iter()
        .any(|a| a.is_unresolved() && a.rule.informs_municipality())
        || situation
            .conditions(now, policy)
            .iter()
            .any(|c| c.rule.informs_municipality());
    if sharing_at_stake {
        let resident = OrgId::Gemeente(trajectory.municipality);
        situation.resident_consent = current_consent(txn.unflushed(), trajectory_id, resident, now)
            .await?
            .is_some();
    }
    let outcome = continuity::reconcile(&situation, &current, now, policy, cause, || {
        AlertId::new_at(now)
    });
    woken.extend(store_alert_changes(txn, &outcome.changes, now).await?);
    crate::figures::store::record_trajectory(txn, trajectory, &referrals).await?;
    set_timer(txn, trajectory_id, outcome.next_check);
    woken.sort();
    woken.dedup();
    Ok(woken)
}

/// As `evaluate_loaded`, for a trajectory this transaction has just inserted (deferred):
/// it has no referrals, offers, alerts, consents, meetings, outcome checks, figure
/// contribution or timer yet, so nothing is read and nothing deleted, and every write
/// stays deferred behind the trajectory's own insert.
pub(crate) async fn evaluate_new(
    txn: &WriteTxn,
    trajectory: &herstelbrug_domain::Trajectory,
    now: DateTime<Utc>,
    policy: &ContinuityPolicy,
    cause: &str,
) -> Result<Vec<String>, StoreError> {
    let situation = Situation {
        trajectory,
        referrals: &[],
        offers: &[],
        meetings: &[],
        outcome_checks: &[],
        resident_consent: false,
    };
    let outcome =
        continuity::reconcile(&situation, &[], now, policy, cause, || AlertId::new_at(now));
    let mut woken = store_alert_changes(txn, &outcome.changes, now).await?;
    crate::figures::store::record_new_trajectory(txn, trajectory)?;
    if outcome.next_check.is_some() {
        set_timer(txn, trajectory.id, outcome.next_check);
    }
    woken.sort();
    woken.dedup();
    Ok(woken)
}

/// Stores what reconciling changed in the alerts, with their figures and feed entries;
/// returns the organisations to wake.
async fn store_alert_changes(
    txn: &WriteTxn,
    changes: &[AlertChange],
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    // Deferred, these changes reach PostgreSQL as one statement, which must not write a
    // row twice; reconcile changes each alert at most once.
    debug_assert!({
        let mut ids: Vec<_> = changes.iter().map(|c| c.alert().id).collect();
        let all = ids.len();
        ids.sort_by_key(|id| id.as_uuid());
        ids.dedup();
        ids.len() == all
    });
    let mut woken = Vec::new();
    for change in changes {
        let alert = change.alert();
        match change {
            AlertChange::Opened(_) => {
                txn.defer(alert::Entity::insert(alert_to_row(alert)).into_query());
            }
            AlertChange::Escalated(_) | AlertChange::Resolved(_) | AlertChange::Shared(_) => {
                txn.defer(update(alert));
            }
            AlertChange::Lapsed(_) => {
                // Internal bookkeeping: nothing a reader needs to hear about.
                txn.defer(update(alert));
                continue;
            }
        }
        crate::figures::store::record_facts(txn, &figures::alert_facts(change));
        woken.extend(append_alert(txn, alert, change.kind(), now).await?);
    }
    Ok(woken)
}

/// Expires the trajectory's open offers whose time has come (at the deadline the timer
/// set, or at any later evaluation): each stored expired, its open candidates cancelled
/// `offer_expired` with feed entries and webhooks to both parties.
async fn expire_offers(
    txn: &WriteTxn,
    trajectory: &herstelbrug_domain::Trajectory,
    offers: &mut [Offer],
    referrals: &mut [herstelbrug_domain::Referral],
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let mut woken = Vec::new();
    let system = Actor {
        subject: Subject::parse(SYSTEM_SUBJECT).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        org: OrgId::Agb(trajectory.treating_provider).into(),
    };
    for offer in offers.iter_mut() {
        let Some(events) = offer.expire(referrals, &system, now) else {
            continue;
        };
        for event in &events {
            if let Some(referral) = referrals.iter_mut().find(|r| r.id == event.referral_id) {
                // A cancellation sets no Wmo date: the clocks are not consulted.
                woken.extend(save_system_change(txn, referral, event, WmoClocks::default()).await?);
            }
        }
        save_offer(txn, offer).await?;
    }
    Ok(woken)
}

/// Who the system's own changes (an expired offer's cancellations) are recorded as.
pub(crate) const SYSTEM_SUBJECT: &str = "herstelbrug";

/// Stores `offer` at its new version.
pub(crate) async fn save_offer(txn: &WriteTxn, offer: &Offer) -> Result<(), StoreError> {
    offer::Entity::update_many()
        .set(offer_to_row(offer))
        .filter(offer::Column::Id.eq(offer.id.as_uuid()))
        .exec(txn)
        .await?;
    Ok(())
}

/// The update storing `alert`, which this transaction read under the trajectory's lock.
fn update(alert: &Alert) -> sea_orm::sea_query::UpdateStatement {
    alert::Entity::update_many()
        .set(alert_to_row(alert))
        .filter(alert::Column::Id.eq(alert.id.as_uuid()))
        .into_query()
}

/// Records an alert change in the alert feed of every organisation it concerns.
pub(crate) async fn append_alert(
    txn: &WriteTxn,
    alert: &Alert,
    change: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let orgs: Vec<String> = alert.concerns().iter().map(OrgId::to_string).collect();
    let targets: Vec<(&str, Stream)> = orgs.iter().map(|o| (o.as_str(), Stream::Alerts)).collect();
    feed::append(
        txn,
        &targets,
        alert.id.as_uuid(),
        alert.version,
        change,
        alert.trajectory_id.as_uuid(),
        now,
    )
    .await?;
    Ok(orgs)
}

/// Sets (or removes) the trajectory's one timer; setting it also releases any lease.
fn set_timer(txn: &WriteTxn, trajectory_id: TrajectoryId, due: Option<DateTime<Utc>>) {
    match due {
        Some(due_at) => txn.defer(
            timer::Entity::insert(timer::ActiveModel {
                trajectory_id: Set(trajectory_id.as_uuid()),
                due_at: Set(due_at),
                lease_until: Set(None),
                lease_token: Set(None),
            })
            .on_conflict(
                OnConflict::column(timer::Column::TrajectoryId)
                    .update_columns([
                        timer::Column::DueAt,
                        timer::Column::LeaseUntil,
                        timer::Column::LeaseToken,
                    ])
                    .to_owned(),
            )
            .into_query(),
        ),
        None => txn.defer(
            timer::Entity::delete_many()
                .filter(timer::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
                .into_query(),
        ),
    }
}
