//! Wakes long-polling feed readers when their organisation's feed grows. Writers in this
//! process signal after commit; on PostgreSQL a publisher task passes the organisations
//! on with NOTIFY and a LISTEN task relays other replicas' NOTIFY, so a poller on any
//! replica wakes for a write on any other.
//!
//! The NOTIFY is sent after the write has committed, in a transaction of its own, and not
//! from the writing transaction: PostgreSQL takes one database-wide lock for the commit
//! of every transaction that notifies and holds it through the WAL flush, so notifying
//! writers commit one at a time, on every replica. If a process dies between its commit
//! and its NOTIFY, other replicas' pollers still see the change at their next re-read
//! (`feed::wait_for` re-reads every second).

use std::collections::{BTreeSet, HashMap};
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use sea_orm::sqlx::postgres::PgListener;
use tokio::sync::Notify;

/// The PostgreSQL channel feed changes are announced on, with the organisation as payload.
pub const CHANNEL: &str = "herstelbrug_feed";

#[derive(Debug, Default)]
pub struct FeedSignal {
    // One entry per organisation that ever polled: a few hundred at national scale.
    waiters: Mutex<HashMap<String, Arc<Notify>>>,
    /// Organisations whose feeds grew here, for the publisher to announce (PostgreSQL).
    unannounced: Mutex<BTreeSet<String>>,
    publishing: AtomicBool,
    announce: Notify,
}

impl FeedSignal {
    /// The notifier of `org`'s feed; register interest with `notified()` before reading.
    pub fn for_org(&self, org: &str) -> Arc<Notify> {
        let mut waiters = self
            .waiters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        waiters.entry(org.to_owned()).or_default().clone()
    }

    /// Wakes every reader waiting on `org`'s feed, here and (through the publisher) on
    /// every other replica. Call after the write committed.
    pub fn notify(&self, org: &str) {
        self.wake(org);
        if self.publishing.load(Ordering::Relaxed) {
            self.unannounced
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .insert(org.to_owned());
            self.announce.notify_one();
        }
    }

    /// [`notify`](Self::notify) for each organisation a committed write concerned.
    pub fn notify_all(&self, orgs: &[String]) {
        for org in orgs {
            self.notify(org);
        }
    }

    /// Wakes this process's readers of `org`'s feed only.
    fn wake(&self, org: &str) {
        let waiters = self
            .waiters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(notify) = waiters.get(org) {
            notify.notify_waiters();
        }
    }
}

/// Relays PostgreSQL notifications to `signal`, and announces this process's feed
/// changes, for as long as the process runs, reconnecting after errors. Does nothing on
/// other databases.
pub fn spawn_pg_listener(conn: &DatabaseConnection, signal: Arc<FeedSignal>) {
    if conn.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let pool = conn.get_postgres_connection_pool().clone();
    signal.publishing.store(true, Ordering::Relaxed);
    let publisher = (pool.clone(), signal.clone());
    tokio::spawn(async move {
        let (pool, signal) = publisher;
        loop {
            let Err(e) = publish(&pool, &signal).await;
            tracing::warn!(error = %e, "feed publisher lost its connection; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    tokio::spawn(async move {
        loop {
            let Err(e) = relay(&pool, &signal).await;
            tracing::warn!(error = %e, "feed listener lost its connection; reconnecting");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn relay(
    pool: &sea_orm::sqlx::PgPool,
    signal: &FeedSignal,
) -> Result<Infallible, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    loop {
        let notification = listener.recv().await?;
        signal.wake(notification.payload());
    }
}

/// How long the publisher gathers organisations before it announces them: at most this
/// much later for pollers on other replicas, and at most 100 NOTIFY statements a second
/// from a replica however fast it writes.
const GATHER: Duration = Duration::from_millis(10);

/// Announces whatever organisations have gathered, one statement for all of them, shortly
/// after any has; a batch that fails is kept for the next try.
async fn publish(
    pool: &sea_orm::sqlx::PgPool,
    signal: &FeedSignal,
) -> Result<Infallible, sea_orm::sqlx::Error> {
    loop {
        signal.announce.notified().await;
        tokio::time::sleep(GATHER).await;
        let orgs: Vec<String> = std::mem::take(
            &mut *signal
                .unannounced
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
        .into_iter()
        .collect();
        if orgs.is_empty() {
            continue;
        }
        let sent = sea_orm::sqlx::query("SELECT pg_notify($1, org) FROM unnest($2::text[]) AS org")
            .bind(CHANNEL)
            .bind(&orgs[..])
            .execute(pool)
            .await;
        if let Err(e) = sent {
            signal
                .unannounced
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .extend(orgs);
            signal.announce.notify_one();
            return Err(e);
        }
    }
}
