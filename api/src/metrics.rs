//! `GET /metrics` in the Prometheus text format: request counts and latency per route
//! pattern and status (never a path with ids), the connection pool, scheduler and outbox
//! lag, webhook delivery failures and open alerts per rule. No client data, no token.

use actix_web::{HttpResponse, web};
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use herstelbrug_persistence::db::ops_stats;
use prometheus::{Encoder, Gauge, IntCounter, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::error::ApiError;
use crate::state::AppState;

const NAMESPACE: &str = "herstelbrug";

/// Latency buckets in seconds: most requests take a millisecond or two, long-polls up to 30 s.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// The request middleware; it shares `registry`.
    pub requests: PrometheusMetrics,
    pool_size: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    scheduler_lag: Gauge,
    timers_due: IntGauge,
    outbox_lag: Gauge,
    outbox_pending: IntGauge,
    outbox_dead: IntGauge,
    /// Counted by the dispatcher: attempts answered with a non-2xx or not answered.
    pub delivery_failures: IntCounter,
    /// Counted by the scheduler: deadline timers this process fired (claimed and evaluated).
    pub timers_fired: IntCounter,
    alerts_open: IntGaugeVec,
    /// Counted by the retention job: what it removed, per kind of data.
    pub retention_removed: prometheus::IntCounterVec,
}

fn named(name: &str, help: &str) -> Opts {
    Opts::new(name, help).namespace(NAMESPACE)
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let requests = PrometheusMetricsBuilder::new(NAMESPACE)
            .registry(registry.clone())
            .buckets(BUCKETS)
            .mask_unmatched_patterns("UNKNOWN")
            .exclude("/metrics")
            .build()
            .map_err(|e| prometheus::Error::Msg(e.to_string()))?;
        let gauge = |name: &str, help: &str| IntGauge::with_opts(named(name, help));
        let metrics = Self {
            pool_size: gauge("db_pool_connections", "Open database connections")?,
            pool_idle: gauge("db_pool_idle_connections", "Idle database connections")?,
            pool_max: gauge("db_pool_max_connections", "The pool's connection limit")?,
            scheduler_lag: Gauge::with_opts(named(
                "scheduler_lag_seconds",
                "Now minus the oldest due deadline timer not yet fired (0 when none is due)",
            ))?,
            timers_due: gauge(
                "scheduler_due_timers",
                "Deadline timers due and not yet fired",
            )?,
            outbox_lag: Gauge::with_opts(named(
                "outbox_lag_seconds",
                "Now minus the oldest webhook message whose attempt is due (0 when none)",
            ))?,
            outbox_pending: gauge(
                "outbox_pending_messages",
                "Webhook messages not yet delivered",
            )?,
            outbox_dead: gauge(
                "outbox_dead_messages",
                "Webhook messages given up on (dead letters)",
            )?,
            delivery_failures: IntCounter::with_opts(named(
                "webhook_delivery_failures_total",
                "Webhook attempts that failed (non-2xx, timeout, refused) in this process",
            ))?,
            timers_fired: IntCounter::with_opts(named(
                "scheduler_timers_fired_total",
                "Deadline timers fired by this process; summed over replicas, each due timer counts once",
            ))?,
            alerts_open: IntGaugeVec::new(
                named("alerts_open", "Unresolved alerts per rule"),
                &["rule"],
            )?,
            retention_removed: prometheus::IntCounterVec::new(
                named(
                    "retention_removed_total",
                    "Records the retention job removed or pseudonymised in this process, per kind",
                ),
                &["kind"],
            )?,
            registry,
            requests,
        };
        for collector in [
            Box::new(metrics.pool_size.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(metrics.pool_idle.clone()),
            Box::new(metrics.pool_max.clone()),
            Box::new(metrics.scheduler_lag.clone()),
            Box::new(metrics.timers_due.clone()),
            Box::new(metrics.outbox_lag.clone()),
            Box::new(metrics.outbox_pending.clone()),
            Box::new(metrics.outbox_dead.clone()),
            Box::new(metrics.delivery_failures.clone()),
            Box::new(metrics.timers_fired.clone()),
            Box::new(metrics.alerts_open.clone()),
            Box::new(metrics.retention_removed.clone()),
        ] {
            metrics.registry.register(collector)?;
        }
        Ok(metrics)
    }

    /// Reads the database figures now, then renders everything.
    async fn render(&self, state: &AppState) -> Result<String, ApiError> {
        let now = state.clock.now();
        let pool = ops_stats::pool_stats(&state.db.conn);
        self.pool_size.set(i64::from(pool.size));
        self.pool_idle.set(i64::from(pool.idle));
        self.pool_max.set(i64::from(pool.max));
        let ops = ops_stats::snapshot(&state.db.conn, now).await?;
        let lag = |oldest: Option<chrono::DateTime<chrono::Utc>>| {
            oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
        };
        self.scheduler_lag.set(lag(ops.oldest_due_timer));
        self.timers_due.set(count(ops.due_timers));
        self.outbox_lag.set(lag(ops.oldest_due_message));
        self.outbox_pending.set(count(ops.pending_messages));
        self.outbox_dead.set(count(ops.dead_messages));
        // Rules that have no open alert any more show 0, not their last figure.
        self.alerts_open.reset();
        for (rule, open) in &ops.open_alerts {
            self.alerts_open
                .with_label_values(&[rule])
                .set(count(*open));
        }
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut text)
            .map_err(|e| ApiError::Internal(format!("metrics: {e}")))?;
        String::from_utf8(text).map_err(|e| ApiError::Internal(format!("metrics: {e}")))
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `GET /metrics`.
pub async fn scrape(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let text = metrics.render(&state).await?;
    Ok(HttpResponse::Ok()
        .content_type(TextEncoder::new().format_type())
        .body(text))
}
