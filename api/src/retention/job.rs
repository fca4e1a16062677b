//! The daily retention round: closed trajectories past their term lose their personal
//! details, idempotency records past theirs go; counted in the metrics.

use std::sync::Arc;
use std::time::Duration;

use herstelbrug_persistence::{RetentionRound, RetentionStore};

use crate::clock::Clock;

/// Runs one round at `now`.
pub async fn round(
    store: &RetentionStore,
    clock: &dyn Clock,
    batch: u64,
    counted: Option<&prometheus::IntCounterVec>,
) -> Result<RetentionRound, String> {
    let now = clock.now();
    let done = store
        .round(now.date_naive(), now, batch.max(1))
        .await
        .map_err(|e| e.to_string())?;
    if let Some(counter) = counted {
        counter
            .with_label_values(&["closed_trajectory"])
            .inc_by(done.trajectories_pseudonymised);
        counter
            .with_label_values(&["idempotency_record"])
            .inc_by(done.idempotency_records_removed);
    }
    Ok(done)
}

pub fn spawn(
    store: RetentionStore,
    clock: Arc<dyn Clock>,
    interval: Duration,
    batch: u64,
    counter: prometheus::IntCounterVec,
) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match round(&store, clock.as_ref(), batch, Some(&counter)).await {
                Ok(done) => tracing::info!(
                    trajectories = done.trajectories_pseudonymised,
                    idempotency_records = done.idempotency_records_removed,
                    "retention round done"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "retention round failed; the next round resumes")
                }
            }
        }
    });
}
