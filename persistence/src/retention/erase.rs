//! The erasure itself: every personal field of the given trajectories and their referrals,
//! as `herstelbrug_domain::retention::erasure::REMOVED` lists them, in the caller's
//! transaction.

use herstelbrug_domain::ReferralChange;
use herstelbrug_domain::retention::{ERASED, redaction};
use herstelbrug_domain::trajectory::event::Change;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use crate::entity::{
    alert, consent, external_identifier, handoff_meeting, participant, person_attempt,
    person_invitation, person_link, referral, referral_event, trajectory, trajectory_event,
    trajectory_step,
};
use crate::error::StoreError;

/// Removes the personal details of `trajectories`; returns their referrals' ids.
pub(crate) async fn erase(
    txn: &DatabaseTransaction,
    trajectories: &[Uuid],
) -> Result<Vec<Uuid>, StoreError> {
    let ids = || trajectories.iter().copied();
    let referrals: Vec<Uuid> = referral::Entity::find()
        .select_only()
        .column(referral::Column::Id)
        .filter(referral::Column::TrajectoryId.is_in(ids()))
        .into_tuple()
        .all(txn)
        .await?;
    // The lock-out counter of a person who signed in with this BSN goes with it.
    let matchers: Vec<Option<String>> = trajectory::Entity::find()
        .select_only()
        .column(trajectory::Column::BsnMatcher)
        .filter(trajectory::Column::Id.is_in(ids()))
        .filter(trajectory::Column::BsnMatcher.is_not_null())
        .into_tuple()
        .all(txn)
        .await?;
    let matchers: Vec<String> = matchers.into_iter().flatten().collect();
    if !matchers.is_empty() {
        person_attempt::Entity::delete_many()
            .filter(person_attempt::Column::PersonMatcher.is_in(matchers))
            .exec(txn)
            .await?;
    }
    let pseudonym = match txn.get_database_backend() {
        DbBackend::Postgres => "'gewist-' || substr(replace(CAST(id AS TEXT), '-', ''), 1, 16)",
        _ => "'gewist-' || lower(substr(hex(id), 1, 16))",
    };
    trajectory::Entity::update_many()
        .col_expr(trajectory::Column::ClientRef, Expr::cust(pseudonym))
        .col_expr(
            trajectory::Column::BsnMatcher,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            trajectory::Column::BsnSealed,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            trajectory::Column::NoFollowUpReason,
            Expr::value(Option::<String>::None),
        )
        .filter(trajectory::Column::Id.is_in(ids()))
        .exec(txn)
        .await?;
    let none = || Expr::value(Option::<String>::None);
    referral::Entity::update_many()
        .col_expr(referral::Column::Needs, Expr::value(ERASED))
        .col_expr(referral::Column::StatusReason, none())
        .col_expr(referral::Column::ClientName, none())
        .col_expr(referral::Column::ClientPhone, none())
        .col_expr(referral::Column::ClientEmail, none())
        .col_expr(referral::Column::ClientAddress, none())
        .col_expr(referral::Column::ReferrerName, none())
        .col_expr(referral::Column::ReferrerPhone, none())
        .col_expr(referral::Column::ReferrerEmail, none())
        .filter(referral::Column::TrajectoryId.is_in(ids()))
        .exec(txn)
        .await?;
    participant::Entity::update_many()
        .col_expr(participant::Column::Name, Expr::value(ERASED))
        .col_expr(participant::Column::Phone, none())
        .col_expr(participant::Column::Email, none())
        .col_expr(participant::Column::Relation, none())
        .filter(participant::Column::TrajectoryId.is_in(ids()))
        .exec(txn)
        .await?;
    consent::Entity::update_many()
        .col_expr(consent::Column::WithdrawalReason, none())
        .filter(consent::Column::TrajectoryId.is_in(ids()))
        .exec(txn)
        .await?;
    handoff_meeting::Entity::update_many()
        .col_expr(handoff_meeting::Column::Participants, Expr::value("[]"))
        .col_expr(handoff_meeting::Column::Reason, none())
        .filter(handoff_meeting::Column::TrajectoryId.is_in(ids()))
        .exec(txn)
        .await?;
    alert::Entity::update_many()
        .col_expr(alert::Column::ResolutionText, none())
        .filter(alert::Column::TrajectoryId.is_in(ids()))
        .exec(txn)
        .await?;
    trajectory_step::Entity::update_many()
        .col_expr(trajectory_step::Column::Detail, Expr::value(ERASED))
        .filter(trajectory_step::Column::TrajectoryId.is_in(ids()))
        .exec(txn)
        .await?;
    redact_history(txn, trajectories).await?;
    let subjects: Vec<Uuid> = ids().chain(referrals.iter().copied()).collect();
    external_identifier::Entity::delete_many()
        .filter(external_identifier::Column::ResourceId.is_in(subjects))
        .exec(txn)
        .await?;
    person_link::Entity::delete_many()
        .filter(person_link::Column::TrajectoryId.is_in(ids()))
        .exec(txn)
        .await?;
    person_invitation::Entity::delete_many()
        .filter(person_invitation::Column::TrajectoryId.is_in(ids()))
        .exec(txn)
        .await?;
    Ok(referrals)
}

/// Rewrites the stored events that can hold personal details, through the domain's
/// redaction, so the history still parses and reads.
async fn redact_history(
    txn: &DatabaseTransaction,
    trajectories: &[Uuid],
) -> Result<(), StoreError> {
    let kinds = |all: &'static [&'static str]| {
        all.iter()
            .copied()
            .filter(|k| redaction::may_hold_personal_data(k))
            .collect::<Vec<_>>()
    };
    let events = trajectory_event::Entity::find()
        .filter(trajectory_event::Column::TrajectoryId.is_in(trajectories.iter().copied()))
        .filter(trajectory_event::Column::Kind.is_in(kinds(Change::KINDS)))
        .all(txn)
        .await?;
    for event in events {
        let change: Change = serde_json::from_value(event.data.clone())
            .map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?;
        let redacted = redaction::trajectory_change(change, event.trajectory_id);
        let mut row: trajectory_event::ActiveModel = event.into();
        row.data = Set(json(&redacted)?);
        trajectory_event::Entity::update(row).exec(txn).await?;
    }
    let events = referral_event::Entity::find()
        .filter(referral_event::Column::TrajectoryId.is_in(trajectories.iter().copied()))
        .filter(referral_event::Column::Kind.is_in(kinds(ReferralChange::KINDS)))
        .all(txn)
        .await?;
    for event in events {
        let change: ReferralChange = serde_json::from_value(event.data.clone())
            .map_err(|e| StoreError::Corrupt(format!("referral event data: {e}")))?;
        let redacted = redaction::referral_change(change);
        let mut row: referral_event::ActiveModel = event.into();
        row.data = Set(json(&redacted)?);
        referral_event::Entity::update(row).exec(txn).await?;
    }
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}
