//! Running the continuity rules inside a writing transaction: load the trajectory, its
//! referrals and unresolved alerts, reconcile, store the alert changes and their feed
//! entries, and set the trajectory's timer to its next deadline.

use chrono::{DateTime, Utc};
use herstelbrug_domain::{
    Alert, AlertChange, AlertId, ContinuityPolicy, OrgId, Situation, TrajectoryId, continuity,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::alert_row::{alert_from_row, alert_to_row};
use crate::entity::{alert, referral, timer, trajectory};
use crate::error::StoreError;
use crate::feed::{self, Stream};
use crate::referral_row::referral_from_row;
use crate::trajectory_row::trajectory_from_row;

/// Re-evaluates `trajectory_id`'s rules at `now` because of `cause`; returns the
/// organisations whose alert feeds changed (to wake after commit).
pub(crate) async fn evaluate<C: ConnectionTrait>(
    txn: &C,
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
pub(crate) async fn evaluate_loaded<C: ConnectionTrait>(
    txn: &C,
    trajectory: &herstelbrug_domain::Trajectory,
    now: DateTime<Utc>,
    policy: &ContinuityPolicy,
    cause: &str,
) -> Result<Vec<String>, StoreError> {
    let trajectory_id = trajectory.id;
    let referrals = referral::Entity::find()
        .filter(referral::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
        .all(txn)
        .await?
        .into_iter()
        .map(referral_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let current = alert::Entity::find()
        .filter(alert::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
        .filter(
            Condition::any()
                .add(alert::Column::Status.ne("resolved"))
                .add(alert::Column::Suppressing.eq(true)),
        )
        .all(txn)
        .await?
        .into_iter()
        .map(alert_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let situation = Situation {
        trajectory,
        referrals: &referrals,
    };
    let outcome = continuity::reconcile(&situation, &current, now, policy, cause, || {
        AlertId::new_at(now)
    });
    let mut woken = Vec::new();
    for change in &outcome.changes {
        let alert = change.alert();
        match change {
            AlertChange::Opened(_) => {
                alert::Entity::insert(alert_to_row(alert))
                    .exec_without_returning(txn)
                    .await?;
            }
            AlertChange::Escalated(_) | AlertChange::Resolved(_) => {
                alert::Entity::update(alert_to_row(alert)).exec(txn).await?;
            }
            AlertChange::Lapsed(_) => {
                // Internal bookkeeping: nothing a reader needs to hear about.
                alert::Entity::update(alert_to_row(alert)).exec(txn).await?;
                continue;
            }
        }
        woken.extend(append_alert(txn, alert, change.kind(), now).await?);
    }
    set_timer(txn, trajectory_id, outcome.next_check).await?;
    woken.sort();
    woken.dedup();
    Ok(woken)
}

/// Records an alert change in the alert feed of every organisation it concerns.
pub(crate) async fn append_alert<C: ConnectionTrait>(
    txn: &C,
    alert: &Alert,
    change: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let orgs: Vec<String> = alert.concerns().iter().map(OrgId::to_string).collect();
    for org in &orgs {
        feed::append(
            txn,
            org,
            Stream::Alerts,
            alert.id.as_uuid(),
            alert.version,
            change,
            alert.trajectory_id.as_uuid(),
            now,
        )
        .await?;
    }
    Ok(orgs)
}

/// Sets (or removes) the trajectory's one timer; setting it also releases any lease.
async fn set_timer<C: ConnectionTrait>(
    txn: &C,
    trajectory_id: TrajectoryId,
    due: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    match due {
        Some(due_at) => {
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
            .exec_without_returning(txn)
            .await?;
        }
        None => {
            timer::Entity::delete_by_id(trajectory_id.as_uuid())
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}
