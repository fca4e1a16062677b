//! Wakes long-polling feed readers when their organisation's feed grows. Writers in this
//! process signal after commit; on PostgreSQL a LISTEN task also relays other replicas'
//! NOTIFY, so a poller on any replica wakes for a write on any other.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use sea_orm::sqlx::postgres::PgListener;
use tokio::sync::Notify;

/// The PostgreSQL channel every feed entry notifies, with the organisation as payload
/// (from the trigger of migration 000008, which spells the name too).
pub const CHANNEL: &str = "herstelbrug_feed";

#[derive(Debug, Default)]
pub struct FeedSignal {
    // One entry per organisation that ever polled: a few hundred at national scale.
    waiters: Mutex<HashMap<String, Arc<Notify>>>,
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

    /// Wakes every reader waiting on `org`'s feed.
    pub fn notify(&self, org: &str) {
        let waiters = self
            .waiters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(notify) = waiters.get(org) {
            notify.notify_waiters();
        }
    }
}

/// Relays PostgreSQL notifications to `signal` for as long as the process runs,
/// reconnecting after errors. Does nothing on other databases.
pub fn spawn_pg_listener(conn: &DatabaseConnection, signal: Arc<FeedSignal>) {
    if conn.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let pool = conn.get_postgres_connection_pool().clone();
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
        signal.notify(notification.payload());
    }
}
