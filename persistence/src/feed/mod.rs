//! The change feeds: appending a change for each organisation it concerns inside the
//! write's transaction, and reading an organisation's feed after a cursor without ever
//! skipping a committed change.

pub mod retention;
pub mod signal;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use herstelbrug_domain::{
    EventType, OrgId, Referral, ReferralId, TrajectoryId, referral::needs_consent,
};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::ExprTrait;
use sea_orm::QueryTrait as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::db::write_txn::WriteTxn;
use crate::entity::{consent, feed_entry, referral};
use crate::error::StoreError;
use crate::feed::signal::FeedSignal;
use crate::notification::outbox::{self, Announcement};
use crate::referral::row::ReferralRecord;
use crate::referral::row::{consent_from_row, referral_from_row};
use crate::trajectory::row::stored_version;

/// Which feed of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Referrals addressed to the organisation.
    Inbox,
    /// Referrals the organisation sent.
    Outbox,
    /// Alerts that concern the organisation.
    Alerts,
    /// Changes of the catalog, one stream for everyone (key [`CATALOG_KEY`]).
    Catalog,
}

/// The feed key of the catalog stream: it belongs to no organisation.
pub const CATALOG_KEY: &str = "catalog";

impl Stream {
    const fn as_str(self) -> &'static str {
        match self {
            Stream::Inbox => "inbox",
            Stream::Outbox => "outbox",
            Stream::Alerts => "alerts",
            Stream::Catalog => "catalog",
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
    pub stream: Stream,
    pub after: FeedCursor,
    pub limit: u64,
}

/// A page of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next read starts: after the last item, or the given cursor if none.
    pub next: FeedCursor,
}

/// One change of a referral feed, with the referral as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub position: FeedCursor,
    pub change: String,
    pub recorded_at: DateTime<Utc>,
    pub record: ReferralRecord,
}

pub type FeedPage = Page<FeedItem>;

/// Appends a change of `subject_id` to each target organisation's stream, and queues
/// the webhook messages the organisations subscribed to. `trajectory_id` orders those
/// messages.
pub(crate) async fn append(
    txn: &WriteTxn,
    targets: &[(&str, Stream)],
    subject_id: uuid::Uuid,
    version: u32,
    change: &str,
    trajectory_id: uuid::Uuid,
    recorded_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let announcements: Vec<(&str, Announcement<'_>)> = targets
        .iter()
        .filter_map(|&(org, stream)| {
            let event = EventType::of_change(change, stream == Stream::Inbox)?;
            let subject = if stream == Stream::Alerts {
                "alert"
            } else {
                "referral"
            };
            Some((
                org,
                Announcement {
                    event,
                    subject,
                    subject_id,
                    change,
                    version,
                    ordering_key: trajectory_id,
                },
            ))
        })
        .collect();
    outbox::enqueue(txn, &announcements, recorded_at).await?;
    for &(org, stream) in targets {
        txn.defer(
            feed_entry::Entity::insert(feed_entry::ActiveModel {
                id: NotSet,
                tx_id: NotSet,
                org: Set(org.to_owned()),
                stream: Set(stream.as_str().to_owned()),
                subject_id: Set(subject_id),
                subject_version: Set(stored_version(version)),
                change: Set(change.to_owned()),
                recorded_at: Set(recorded_at),
            })
            .into_query(),
        );
    }
    Ok(())
}

/// Records a `change` of `referral` (as it is after the change) in its recipient's inbox
/// and its requester's outbox. Returns the organisations to wake after commit.
pub(crate) async fn append_referral(
    txn: &WriteTxn,
    referral: &Referral,
    change: &str,
    recorded_at: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let requester = OrgId::Agb(referral.requester).to_string();
    let recipient = referral.recipient.to_string();
    let id = referral.id.as_uuid();
    let trajectory = referral.trajectory_id.as_uuid();
    append(
        txn,
        &[(&recipient, Stream::Inbox), (&requester, Stream::Outbox)],
        id,
        referral.version,
        change,
        trajectory,
        recorded_at,
    )
    .await?;
    let orgs: Vec<String> = if recipient == requester {
        vec![recipient]
    } else {
        vec![recipient, requester]
    };
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

/// The entries of one page of a feed, and the cursor after them.
pub(crate) async fn read_entries(
    conn: &DatabaseConnection,
    query: &FeedQuery,
) -> Result<(Vec<feed_entry::Model>, FeedCursor), StoreError> {
    let FeedQuery {
        org,
        stream,
        after,
        limit,
    } = *query;
    read_keyed(conn, &org.to_string(), stream, after, limit).await
}

/// The entries of one page of the stream `stream` of `key` (an organisation, or the
/// catalog), and the cursor after them.
pub(crate) async fn read_keyed(
    conn: &DatabaseConnection,
    key: &str,
    stream: Stream,
    after: FeedCursor,
    limit: u64,
) -> Result<(Vec<feed_entry::Model>, FeedCursor), StoreError> {
    use feed_entry::Column;
    crate::feed::retention::check_cursor(conn, key, stream.as_str(), after).await?;
    let mut select = feed_entry::Entity::find()
        .filter(Column::Org.eq(key))
        .filter(Column::Stream.eq(stream.as_str()))
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
    let next = entries.last().map_or(after, |last| FeedCursor {
        tx_id: last.tx_id,
        id: last.id,
    });
    Ok((entries, next))
}

/// One page of a referral feed (inbox or outbox), with each referral as it is now.
pub(crate) async fn read_referrals(
    conn: &DatabaseConnection,
    query: &FeedQuery,
    now: DateTime<Utc>,
) -> Result<FeedPage, StoreError> {
    let (entries, next) = read_entries(conn, query).await?;
    if entries.is_empty() {
        return Ok(Page {
            items: Vec::new(),
            next,
        });
    }
    let ids: HashSet<uuid::Uuid> = entries.iter().map(|e| e.subject_id).collect();
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
            let id = ReferralId::from_uuid(entry.subject_id);
            let referral = referrals.get(&id).cloned().ok_or_else(|| {
                StoreError::Corrupt(format!("feed entry for missing referral {id}"))
            })?;
            Ok(FeedItem {
                position: FeedCursor {
                    tx_id: entry.tx_id,
                    id: entry.id,
                },
                change: entry.change,
                recorded_at: entry.recorded_at,
                record: ReferralRecord {
                    consent_holds: consent.get(&id).copied().unwrap_or(false),
                    referral,
                },
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Page { items, next })
}

/// Reads a page with `read`; when it is empty, waits up to `wait` for a change in `org`'s
/// feeds and reads again, returning as soon as something is readable. Between wake-ups it
/// re-reads at least every second, because on PostgreSQL a change becomes readable when
/// an unrelated older transaction ends, which nobody signals.
pub(crate) async fn wait_for<T, F, Fut>(
    signal: &FeedSignal,
    org: OrgId,
    wait: Duration,
    read: F,
) -> Result<Page<T>, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Page<T>, StoreError>>,
{
    wait_for_key(signal, &org.to_string(), wait, read).await
}

/// As [`wait_for`], for any feed key (the catalog's included).
pub(crate) async fn wait_for_key<T, F, Fut>(
    signal: &FeedSignal,
    key: &str,
    wait: Duration,
    mut read: F,
) -> Result<Page<T>, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Page<T>, StoreError>>,
{
    let deadline = tokio::time::Instant::now() + wait;
    let notify = signal.for_org(key);
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        // Registered before reading, so a change committed during the read still wakes us.
        notified.as_mut().enable();
        let page = read().await?;
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
