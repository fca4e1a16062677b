//! Reading the log: a client's entries (their trajectories, referrals and client
//! references) and an organisation's own, newest first, a page at a time by cursor.

use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::record::{AccessEntry, record_of};
use crate::entity::{access_log, access_log_disclosure};
use crate::error::StoreError;

/// Entries about any of the trajectories, referrals or client references.
pub(super) fn about_condition(
    trajectories: &[Uuid],
    referrals: &[Uuid],
    client_refs: &[String],
) -> Condition {
    let mut condition = Condition::any();
    if !client_refs.is_empty() {
        condition = condition.add(access_log::Column::ClientRef.is_in(client_refs.iter().cloned()));
    }
    if !trajectories.is_empty() {
        condition =
            condition.add(access_log::Column::TrajectoryId.is_in(trajectories.iter().copied()));
    }
    if !referrals.is_empty() {
        condition = condition.add(access_log::Column::ReferralId.is_in(referrals.iter().copied()));
    }
    if !trajectories.is_empty() {
        let disclosed = sea_orm::sea_query::Query::select()
            .column(access_log_disclosure::Column::EntryId)
            .from(access_log_disclosure::Entity)
            .and_where(
                access_log_disclosure::Column::TrajectoryId
                    .is_in(trajectories.iter().map(Uuid::to_string)),
            )
            .to_owned();
        condition = condition.add(access_log::Column::Id.in_subquery(disclosed));
    }
    condition
}

fn entry(row: &access_log::Model) -> AccessEntry {
    AccessEntry {
        id: row.id,
        recorded_at: row.recorded_at,
        record: record_of(row),
    }
}

/// Entries about the given trajectories, their referrals, or client references,
/// newest first, `limit` at a time from before entry `before` (a page's cursor).
pub(super) async fn about(
    conn: &DatabaseConnection,
    trajectories: &[Uuid],
    referrals: &[Uuid],
    client_refs: &[String],
    page: (u64, Option<i64>),
) -> Result<Vec<AccessEntry>, StoreError> {
    let (limit, before) = page;
    if trajectories.is_empty() && referrals.is_empty() && client_refs.is_empty() {
        return Ok(Vec::new());
    }
    let condition = about_condition(trajectories, referrals, client_refs);
    let mut select = access_log::Entity::find().filter(condition);
    if let Some(before) = before {
        select = select.filter(access_log::Column::Id.lt(before));
    }
    Ok(select
        .order_by_desc(access_log::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .iter()
        .map(entry)
        .collect())
}

/// Entries of requests made on behalf of `org` (or of everyone, for `None`), newest
/// first, `limit` at a time from before entry `before`.
pub(super) async fn of_organisation(
    conn: &DatabaseConnection,
    org: Option<&str>,
    page: (u64, Option<i64>),
) -> Result<Vec<AccessEntry>, StoreError> {
    let (limit, before) = page;
    let mut select = access_log::Entity::find();
    if let Some(org) = org {
        select = select.filter(access_log::Column::Org.eq(org));
    }
    if let Some(before) = before {
        select = select.filter(access_log::Column::Id.lt(before));
    }
    Ok(select
        .order_by_desc(access_log::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .iter()
        .map(entry)
        .collect())
}
