//! The background round that keeps notifications alive and history bounded: numbering
//! new events, heartbeats to quiet webhook subscriptions, then pruning events and feed entries older than their
//! retention (oldest first, a batch at a time, never a pending message).

use std::sync::Arc;
use std::time::Duration;

use herstelbrug_persistence::feed::retention as feed_retention;
use herstelbrug_persistence::{DatabaseConnection, WebhookStore};

use crate::clock::Clock;

const BATCH: u64 = 500;

/// What a round does, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Housekeeping {
    /// `None`: no heartbeats.
    pub heartbeat_after: Option<chrono::Duration>,
    pub event_retention: chrono::Duration,
    pub feed_retention: chrono::Duration,
}

impl Housekeeping {
    /// Runs a round every `interval` for as long as the server runs.
    pub fn spawn(
        self,
        webhooks: WebhookStore,
        conn: DatabaseConnection,
        clock: Arc<dyn Clock>,
        interval: Duration,
    ) {
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(e) = self.round(&webhooks, &conn, clock.now()).await {
                    tracing::warn!(error = %e, "housekeeping round failed; retrying next round");
                }
            }
        });
    }

    async fn round(
        &self,
        webhooks: &WebhookStore,
        conn: &DatabaseConnection,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), herstelbrug_persistence::StoreError> {
        // Also here: with the dispatcher off (a replica that only serves), events are
        // still numbered for catch-up.
        while webhooks.number_events(now, BATCH).await? as u64 == BATCH {}
        if let Some(quiet) = self.heartbeat_after {
            while webhooks.heartbeats(now, quiet, BATCH).await? as u64 == BATCH {}
        }
        while webhooks.prune(now - self.event_retention, BATCH).await? == BATCH {}
        while feed_retention::prune(conn, now - self.feed_retention, BATCH).await? == BATCH {}
        Ok(())
    }
}
