//! What the benchmark database's active backends wait on during a phase, sampled from
//! `pg_stat_activity`: whether writers queue on each other's row locks (`Lock`), on
//! PostgreSQL's internal locks (`LWLock`), on the disk (`IO`, WAL flushes) or run (`CPU`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

const SAMPLE: &str = "SELECT CASE WHEN wait_event_type IN ('Lock', 'LWLock') \
    THEN wait_event_type || ':' || wait_event ELSE coalesce(wait_event_type, 'CPU') END AS kind, \
    count(*) AS n FROM pg_stat_activity \
    WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1";

pub struct Sampler {
    stop: Arc<AtomicBool>,
    handle: tokio::task::JoinHandle<(u64, BTreeMap<String, i64>)>,
}

/// Samples every 20 ms until `finish`.
pub fn start(conn: DatabaseConnection) -> Sampler {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = tokio::spawn(async move {
        let mut samples = 0u64;
        let mut totals: BTreeMap<String, i64> = BTreeMap::new();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        while !flag.load(Ordering::Relaxed) {
            tick.tick().await;
            let statement = Statement::from_string(conn.get_database_backend(), SAMPLE);
            let Ok(rows) = conn.query_all_raw(statement).await else {
                continue;
            };
            samples += 1;
            for row in rows {
                if let (Ok(kind), Ok(n)) = (
                    row.try_get::<String>("", "kind"),
                    row.try_get::<i64>("", "n"),
                ) {
                    *totals.entry(kind).or_default() += n;
                }
            }
        }
        (samples, totals)
    });
    Sampler { stop, handle }
}

impl Sampler {
    /// "backends waiting, on average: CPU 3.1, IO:… 1.2, Lock:transactionid 0.01".
    pub async fn finish(self) -> String {
        self.stop.store(true, Ordering::Relaxed);
        let Ok((samples, totals)) = self.handle.await else {
            return "backends waiting: not sampled".to_owned();
        };
        let mut kinds: Vec<(String, f64)> = totals
            .into_iter()
            .map(|(kind, n)| (kind, n as f64 / samples.max(1) as f64))
            .collect();
        kinds.sort_by(|a, b| b.1.total_cmp(&a.1));
        let shown: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n:.2}")).collect();
        format!(
            "  active backends by what they wait on, mean of {samples} samples: {}",
            shown.join(", ")
        )
    }
}
