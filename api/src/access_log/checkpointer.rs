//! Signs a checkpoint of the access log's head every interval (when the log moved) and
//! keeps the outside copy up to date.

use std::sync::Arc;
use std::time::Duration;

use herstelbrug_domain::access_log::AuditKey;
use herstelbrug_persistence::AccessLog;

use super::anchor::Anchor;
use crate::clock::Clock;

/// One round: sign if the head moved, then bring the outside copy up to date.
pub async fn round(
    log: &AccessLog,
    key: &AuditKey,
    anchor: &Anchor,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let new = log
        .checkpoint(&[key], now, true)
        .await
        .map_err(|e| e.to_string())?;
    let all = log.checkpoints().await.map_err(|e| e.to_string())?;
    anchor.record(new.as_ref(), &all.checkpoints).await
}

pub fn spawn(
    log: AccessLog,
    key: AuditKey,
    anchor: Anchor,
    clock: Arc<dyn Clock>,
    interval: Duration,
) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(e) = round(&log, &key, &anchor, clock.now()).await {
                tracing::warn!(error = %e, "checkpointing the access log failed; retrying next round");
            }
        }
    });
}
