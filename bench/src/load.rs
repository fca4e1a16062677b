//! The load generator's parts: a pacer that starts each worker's requests on a schedule
//! (or back to back), and a recorder of latencies in an HDR histogram. A request that is
//! late because the previous answer was late counts from its scheduled start, so a slow
//! server cannot hide its queue (no coordinated omission).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// When a worker sends its next request.
pub struct Pace {
    next: Instant,
    interval: Option<Duration>,
    deadline: Instant,
}

impl Pace {
    /// Back to back when `interval` is `None`; `offset` spreads paced workers out.
    pub fn new(duration: Duration, interval: Option<Duration>, offset: Duration) -> Self {
        let now = Instant::now();
        Self {
            next: now + offset,
            interval,
            deadline: now + duration,
        }
    }

    /// Waits for the next start and returns it; `None` once the run is over.
    pub async fn next(&mut self) -> Option<Instant> {
        match self.interval {
            None => {
                let now = Instant::now();
                (now < self.deadline).then_some(now)
            }
            Some(interval) => {
                let at = self.next;
                if at >= self.deadline {
                    return None;
                }
                self.next += interval;
                if Instant::now() >= at {
                    // Behind schedule because the last answer came late: count from when
                    // this request should have gone out.
                    return Some(at);
                }
                tokio::time::sleep_until(at.into()).await;
                // On time: count from the actual send, not the timer's own lateness
                // (Tokio's timer wakes up to a millisecond late).
                Some(Instant::now())
            }
        }
    }
}

pub struct Recorder {
    latencies: Histogram<u64>,
    pub statuses: BTreeMap<u16, u64>,
    pub errors: u64,
}

impl Recorder {
    pub fn new() -> Result<Self, hdrhistogram::CreationError> {
        Ok(Self {
            // 1 µs to 60 s, three significant digits.
            latencies: Histogram::new_with_bounds(1, 60_000_000, 3)?,
            statuses: BTreeMap::new(),
            errors: 0,
        })
    }

    /// One request started at `started`; `status` is `None` when no response came.
    pub fn record(&mut self, started: Instant, status: Option<u16>) {
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let _ = self.latencies.record(micros.clamp(1, 60_000_000));
        match status {
            Some(code) => *self.statuses.entry(code).or_default() += 1,
            None => self.errors += 1,
        }
    }

    pub fn merge(&mut self, other: &Recorder) {
        let _ = self.latencies.add(&other.latencies);
        for (code, n) in &other.statuses {
            *self.statuses.entry(*code).or_default() += n;
        }
        self.errors += other.errors;
    }

    pub fn count(&self) -> u64 {
        self.latencies.len()
    }

    /// Milliseconds at quantile `q`.
    pub fn ms(&self, q: f64) -> f64 {
        self.latencies.value_at_quantile(q) as f64 / 1000.0
    }

    /// `count/s | p50 p99 p99.9 | statuses`.
    pub fn line(&self, elapsed: Duration) -> String {
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(code, n)| format!("{code}×{n}"))
            .collect();
        format!(
            "{:>8.0}/s | p50 {:>7.2} ms  p99 {:>7.2} ms  p99.9 {:>7.2} ms | {}{}",
            self.count() as f64 / elapsed.as_secs_f64(),
            self.ms(0.5),
            self.ms(0.99),
            self.ms(0.999),
            statuses.join(" "),
            if self.errors > 0 {
                format!(" errors×{}", self.errors)
            } else {
                String::new()
            }
        )
    }
}
