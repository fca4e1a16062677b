//! After closure: the outcome checks a trajectory owes (30 and 90 days after a closure
//! with follow-up in place, configurable) and the ones the provider recorded; recording
//! one re-evaluates the trajectory, so an overdue-check alert resolves itself.

use std::sync::Arc;

use chrono::NaiveDate;
use herstelbrug_domain::aftercare::{CheckOutcome, OutcomeCheck, checks_due};
use herstelbrug_domain::{AgbCode, ContinuityPolicy, TrajectoryId};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use crate::continuity;
use crate::db::idempotency::{Replayable, Respond, WriteContext, keyed_write};
use crate::db::write_txn::WriteTxn;
use crate::entity::outcome_check;
use crate::error::StoreError;
use crate::feed::signal::FeedSignal;
use crate::referral::load::{own_trajectory, trajectory_referrals};

/// A check a trajectory owes, with its outcome once recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwedCheck {
    pub after_days: u32,
    pub due_on: NaiveDate,
    pub recorded: Option<OutcomeCheck>,
}

/// What the provider records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordCheck {
    pub trajectory_id: TrajectoryId,
    pub provider: AgbCode,
    pub after_days: u32,
    pub outcome: CheckOutcome,
    pub checked_on: NaiveDate,
}

#[derive(Clone, Debug)]
pub struct AftercareStore {
    conn: DatabaseConnection,
    signal: Arc<FeedSignal>,
    policy: ContinuityPolicy,
}

fn check_from_row(row: outcome_check::Model) -> Result<OutcomeCheck, StoreError> {
    let corrupt = |c: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("{c}: {e}"));
    Ok(OutcomeCheck {
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        after_days: u32::try_from(row.after_days).map_err(|e| corrupt("after_days", &e))?,
        outcome: row.outcome.parse().map_err(|e| corrupt("outcome", &e))?,
        checked_on: row.checked_on,
        recorded_by: herstelbrug_domain::Actor {
            subject: herstelbrug_domain::Subject::parse(&row.recorded_by)
                .map_err(|e| corrupt("recorded_by", &e))?,
            org: row
                .recorded_by_org
                .parse()
                .map_err(|e| corrupt("recorded_by_org", &e))?,
        },
        recorded_at: row.recorded_at,
    })
}

pub(crate) async fn trajectory_checks<C: ConnectionTrait>(
    conn: &C,
    trajectory_id: TrajectoryId,
) -> Result<Vec<OutcomeCheck>, StoreError> {
    outcome_check::Entity::find()
        .filter(outcome_check::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
        .order_by_asc(outcome_check::Column::AfterDays)
        .all(conn)
        .await?
        .into_iter()
        .map(check_from_row)
        .collect()
}

impl AftercareStore {
    pub fn new(
        conn: DatabaseConnection,
        signal: Arc<FeedSignal>,
        policy: ContinuityPolicy,
    ) -> Self {
        Self {
            conn,
            signal,
            policy,
        }
    }

    /// The checks a trajectory of `provider` owes, with their outcomes as recorded.
    pub async fn checks(
        &self,
        trajectory_id: TrajectoryId,
        provider: AgbCode,
    ) -> Result<Vec<OwedCheck>, StoreError> {
        let trajectory = own_trajectory(&self.conn, trajectory_id, provider).await?;
        let referrals = trajectory_referrals(&self.conn, trajectory_id).await?;
        let recorded = trajectory_checks(&self.conn, trajectory_id).await?;
        Ok(checks_due(&trajectory, &referrals, &self.policy.outcome)
            .into_iter()
            .map(|(after_days, due_on)| OwedCheck {
                after_days,
                due_on,
                recorded: recorded
                    .iter()
                    .find(|c| c.after_days == after_days)
                    .cloned(),
            })
            .collect())
    }

    /// Records one owed check (once: a second record of the same check is a conflict).
    pub async fn record(
        &self,
        record: RecordCheck,
        write: WriteContext<'_>,
        respond: Respond<'_, OwedCheck>,
    ) -> Result<Replayable, StoreError> {
        let respond = |(c, _): &(OwedCheck, Vec<String>)| respond(c);
        let keyed = keyed_write(&self.conn, &write, &respond, async |txn: &WriteTxn| {
            let trajectory = own_trajectory(txn, record.trajectory_id, record.provider).await?;
            let referrals = trajectory_referrals(txn, record.trajectory_id).await?;
            let owes = checks_due(&trajectory, &referrals, &self.policy.outcome);
            let already = trajectory_checks(txn, record.trajectory_id)
                .await?
                .into_iter()
                .any(|c| c.after_days == record.after_days);
            if already {
                return Err(herstelbrug_domain::FieldError::FieldRule {
                    field: "after_days",
                    rule: "this check was recorded already",
                }
                .into());
            }
            let check = OutcomeCheck::record(
                &trajectory,
                &owes,
                record.after_days,
                record.outcome,
                record.checked_on,
                write.actor.clone(),
                write.now,
            )?;
            outcome_check::Entity::insert(outcome_check::ActiveModel {
                trajectory_id: Set(check.trajectory_id.as_uuid()),
                after_days: Set(i32::try_from(check.after_days).unwrap_or(i32::MAX)),
                outcome: Set(check.outcome.as_str().to_owned()),
                checked_on: Set(check.checked_on),
                recorded_by: Set(check.recorded_by.subject.to_string()),
                recorded_by_org: Set(check.recorded_by.org.to_string()),
                recorded_at: Set(check.recorded_at),
            })
            .exec_without_returning(txn)
            .await?;
            let woken = continuity::evaluate(
                txn,
                record.trajectory_id,
                write.now,
                &self.policy,
                "outcome_checked",
            )
            .await?;
            let due_on = owes
                .iter()
                .find(|(days, _)| *days == check.after_days)
                .map_or(check.checked_on, |(_, due)| *due);
            Ok((
                OwedCheck {
                    after_days: check.after_days,
                    due_on,
                    recorded: Some(check),
                },
                woken,
            ))
        })
        .await?;
        if let Some((_, woken)) = &keyed.written {
            for org in woken {
                self.signal.notify(org);
            }
        }
        Ok(keyed.outcome)
    }
}
