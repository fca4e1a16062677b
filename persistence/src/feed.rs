//! The referral change feed: appending a change for both parties inside the write's
//! transaction, and reading an organisation's feed after a cursor without ever skipping a
//! committed change.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use herstelbrug_domain::{OrgId, Referral, ReferralId, TrajectoryId, referral::needs_consent};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};

use crate::entity::{consent, referral, referral_feed};
use crate::error::StoreError;
use crate::feed_signal::{CHANNEL, FeedSignal};
use crate::referral_row::{consent_from_row, referral_from_row};
use crate::trajectory_row::stored_version;

/// Which side of referrals a feed shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedRole {
    /// The inbox: referrals addressed to the organisation.
    Recipient,
    /// The outbox feed: referrals the organisation sent.
    Requester,
}

impl FeedRole {
    const fn as_str(self) -> &'static str {
        match self {
            FeedRole::Recipient => "recipient",
            FeedRole::Requester => "requester",
        }
    }
}

/// A position in a feed. Ordered by (transaction, id); the start is (0, 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeedCursor {
    pub tx_id: i64,
    pub id: i64,
}

/// Which page of which feed to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedQuery {
    pub org: OrgId,
    pub role: FeedRole,
    pub after: FeedCursor,
    pub limit: u64,
}

/// One change in a feed, with the referral as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub position: FeedCursor,
    pub change: String,
    pub referral_version: u32,
    pub recorded_at: DateTime<Utc>,
    pub referral: Referral,
    /// Whether the client's consent for the recipient holds now (always for aftercare by
    /// the treating provider itself).
    pub consent_holds: bool,
}

impl FeedItem {
    /// The referral with its consent state, as the other reads return it.
    pub fn record(&self) -> crate::referral_store::ReferralRecord {
        crate::referral_store::ReferralRecord {
            referral: self.referral.clone(),
            consent_holds: self.consent_holds,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    /// Where the next read starts: after the last item, or the given cursor if none.
    pub next: FeedCursor,
}

/// Records a `change` of `referral` (as it is after the change) in the feeds of both its
/// parties and, on PostgreSQL, queues a notification delivered when the transaction
/// commits. Returns the organisations to wake in this process after commit.
pub(crate) async fn append<C: ConnectionTrait>(
    txn: &C,
    referral: &Referral,
    change: &str,
    recorded_at: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let requester = OrgId::Agb(referral.requester).to_string();
    let recipient = referral.recipient.to_string();
    let rows = [
        (recipient.clone(), FeedRole::Recipient),
        (requester.clone(), FeedRole::Requester),
    ];
    for (org, role) in &rows {
        referral_feed::Entity::insert(referral_feed::ActiveModel {
            id: NotSet,
            tx_id: NotSet,
            org: Set(org.clone()),
            role: Set(role.as_str().to_owned()),
            referral_id: Set(referral.id.as_uuid()),
            referral_version: Set(stored_version(referral.version)),
            change: Set(change.to_owned()),
            recorded_at: Set(recorded_at),
        })
        .exec_without_returning(txn)
        .await?;
    }
    let orgs: Vec<String> = if recipient == requester {
        vec![recipient]
    } else {
        vec![recipient, requester]
    };
    if txn.get_database_backend() == DbBackend::Postgres {
        for org in &orgs {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), org.clone().into()],
            ))
            .await?;
        }
    }
    Ok(orgs)
}

/// Whether consent for each referral's recipient holds on `now`'s date, in one query.
pub(crate) async fn consent_holds<C: ConnectionTrait>(
    conn: &C,
    referrals: &[Referral],
    now: DateTime<Utc>,
) -> Result<HashMap<ReferralId, bool>, StoreError> {
    let trajectories: HashSet<TrajectoryId> = referrals
        .iter()
        .filter(|r| needs_consent(r.requester, r.recipient))
        .map(|r| r.trajectory_id)
        .collect();
    let consents = if trajectories.is_empty() {
        Vec::new()
    } else {
        consent::Entity::find()
            .filter(
                consent::Column::TrajectoryId.is_in(trajectories.iter().map(TrajectoryId::as_uuid)),
            )
            .filter(consent::Column::WithdrawnAt.is_null())
            .all(conn)
            .await?
            .into_iter()
            .map(consent_from_row)
            .collect::<Result<Vec<_>, _>>()?
    };
    let today = now.date_naive();
    Ok(referrals
        .iter()
        .map(|r| {
            let holds = !needs_consent(r.requester, r.recipient)
                || consents
                    .iter()
                    .any(|c| c.trajectory_id == r.trajectory_id && c.covers(r.recipient, today));
            (r.id, holds)
        })
        .collect())
}

/// Reads one page of `org`'s feed after `after`.
pub(crate) async fn read(
    conn: &DatabaseConnection,
    query: &FeedQuery,
    now: DateTime<Utc>,
) -> Result<FeedPage, StoreError> {
    use referral_feed::Column;
    let FeedQuery {
        org,
        role,
        after,
        limit,
    } = *query;
    let mut select = referral_feed::Entity::find()
        .filter(Column::Org.eq(org.to_string()))
        .filter(Column::Role.eq(role.as_str()))
        .filter(
            Condition::any()
                .add(Column::TxId.gt(after.tx_id))
                .add(Column::TxId.eq(after.tx_id).and(Column::Id.gt(after.id))),
        );
    if conn.get_database_backend() == DbBackend::Postgres {
        // Only transactions older than every running one: nothing can commit before them
        // any more, so a cursor past them never skips a change.
        select = select.filter(Expr::cust(
            "tx_id < (pg_snapshot_xmin(pg_current_snapshot())::text::bigint)",
        ));
    }
    let entries = select
        .order_by_asc(Column::TxId)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    let Some(last) = entries.last() else {
        return Ok(FeedPage {
            items: Vec::new(),
            next: after,
        });
    };
    let next = FeedCursor {
        tx_id: last.tx_id,
        id: last.id,
    };
    let ids: HashSet<uuid::Uuid> = entries.iter().map(|e| e.referral_id).collect();
    let referrals: HashMap<ReferralId, Referral> = referral::Entity::find()
        .filter(referral::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| referral_from_row(row).map(|r| (r.id, r)))
        .collect::<Result<_, _>>()?;
    let list: Vec<Referral> = referrals.values().cloned().collect();
    let consent = consent_holds(conn, &list, now).await?;
    let items = entries
        .into_iter()
        .map(|entry| {
            let id = ReferralId::from_uuid(entry.referral_id);
            let referral = referrals.get(&id).cloned().ok_or_else(|| {
                StoreError::Corrupt(format!("feed entry for missing referral {id}"))
            })?;
            Ok(FeedItem {
                position: FeedCursor {
                    tx_id: entry.tx_id,
                    id: entry.id,
                },
                change: entry.change,
                referral_version: u32::try_from(entry.referral_version).unwrap_or_default(),
                recorded_at: entry.recorded_at,
                consent_holds: consent.get(&id).copied().unwrap_or(false),
                referral,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(FeedPage { items, next })
}

/// Like [`read`], but when the page is empty waits up to `wait` for a change, returning as
/// soon as one is readable. Between wake-ups it re-reads at least every second, because on
/// PostgreSQL a change can become readable when an unrelated transaction ends.
pub(crate) async fn read_or_wait(
    conn: &DatabaseConnection,
    signal: &FeedSignal,
    query: &FeedQuery,
    wait: Duration,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<FeedPage, StoreError> {
    let deadline = tokio::time::Instant::now() + wait;
    let notify = signal.for_org(&query.org.to_string());
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        // Registered before reading, so a change committed during the read still wakes us.
        notified.as_mut().enable();
        let page = read(conn, query, now()).await?;
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if !page.items.is_empty() || left.is_zero() {
            return Ok(page);
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep(left.min(Duration::from_secs(1))) => {}
        }
    }
}
