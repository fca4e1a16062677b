//! Gathering an export: a period's entries in a scope, the chain's links from the first of
//! them to a covering checkpoint (hashes only), and the checkpoints a verifier needs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use herstelbrug_domain::access_log::{BundleScope, Checkpoint, Link, LoggedEntry};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::query::about_condition;
use super::record::logged;
use crate::entity::{access_log, access_log_seal, referral, trajectory};
use crate::error::StoreError;

/// How many rows one query reads.
const BATCH: u64 = 1000;

/// What to export: entries recorded in `[from, to)` within `scope`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub scope: BundleScope,
}

/// The parts of a bundle the database supplies.
#[derive(Debug, Clone, Default)]
pub struct Export {
    pub entries: Vec<LoggedEntry>,
    pub links: Vec<Link>,
    pub checkpoints: Vec<Checkpoint>,
    /// Entries of the period not yet chained under the covering checkpoint: left out.
    pub left_out: u64,
}

/// The entries of `query` chained up to `cover`, with their links and checkpoints;
/// `checkpoints` are all the database holds, in number order.
pub(super) async fn gather(
    conn: &DatabaseConnection,
    query: &ExportQuery,
    cover: &Checkpoint,
    checkpoints: &[Checkpoint],
) -> Result<Export, StoreError> {
    let Some(scope) = scope_condition(conn, &query.scope).await? else {
        return Ok(Export::default());
    };
    let rows = access_log::Entity::find()
        .filter(scope)
        .filter(access_log::Column::RecordedAt.gte(query.from))
        .filter(access_log::Column::RecordedAt.lt(query.to))
        .order_by_asc(access_log::Column::Id)
        .all(conn)
        .await?;
    let mut seq_of: HashMap<i64, i64> = HashMap::new();
    for chunk in rows.chunks(BATCH as usize) {
        let seals = access_log_seal::Entity::find()
            .filter(access_log_seal::Column::EntryId.is_in(chunk.iter().map(|r| r.id)))
            .all(conn)
            .await?;
        seq_of.extend(seals.into_iter().map(|s| (s.entry_id, s.seq)));
    }
    let mut export = Export::default();
    let Some(first_seq) = rows.iter().filter_map(|r| seq_of.get(&r.id)).min().copied() else {
        export.left_out = rows.len() as u64;
        return Ok(export);
    };
    let before = access_log_seal::Entity::find()
        .filter(access_log_seal::Column::Seq.lt(first_seq))
        .count(conn)
        .await?;
    let mut position = before;
    let mut after = first_seq - 1;
    while position < cover.entries {
        let seals = access_log_seal::Entity::find()
            .filter(access_log_seal::Column::Seq.gt(after))
            .order_by_asc(access_log_seal::Column::Seq)
            .limit(BATCH.min(cover.entries - position))
            .all(conn)
            .await?;
        let Some(last) = seals.last() else {
            break;
        };
        after = last.seq;
        for seal in seals {
            position += 1;
            export.links.push(Link {
                position,
                entry_id: seal.entry_id,
                prev: seal.prev_hash,
                hash: seal.hash,
            });
        }
    }
    let linked: HashMap<i64, u64> = export
        .links
        .iter()
        .map(|link| (link.entry_id, link.position))
        .collect();
    for row in &rows {
        if linked.contains_key(&row.id) {
            export.entries.push(logged(row));
        } else {
            export.left_out += 1;
        }
    }
    let first = before + 1;
    export.checkpoints = checkpoints
        .iter()
        .filter(|c| c.number <= cover.number)
        .filter(|c| c.signatures.len() > 1 || (c.entries >= first && c.entries <= cover.entries))
        .cloned()
        .collect();
    Ok(export)
}

/// The condition for a scope; `None` when it can match nothing (an unknown client).
async fn scope_condition(
    conn: &DatabaseConnection,
    scope: &BundleScope,
) -> Result<Option<Condition>, StoreError> {
    Ok(match scope {
        BundleScope::All => Some(Condition::all()),
        BundleScope::Organisation(org) => {
            Some(Condition::all().add(access_log::Column::Org.eq(org.as_str())))
        }
        BundleScope::Client(client_ref) => {
            let trajectories: Vec<Uuid> = trajectory::Entity::find()
                .filter(trajectory::Column::ClientRef.eq(client_ref.as_str()))
                .select_only()
                .column(trajectory::Column::Id)
                .into_tuple()
                .all(conn)
                .await?;
            let referrals: Vec<Uuid> = if trajectories.is_empty() {
                Vec::new()
            } else {
                referral::Entity::find()
                    .filter(referral::Column::TrajectoryId.is_in(trajectories.iter().copied()))
                    .select_only()
                    .column(referral::Column::Id)
                    .into_tuple()
                    .all(conn)
                    .await?
            };
            Some(about_condition(
                &trajectories,
                &referrals,
                std::slice::from_ref(client_ref),
            ))
        }
    })
}
