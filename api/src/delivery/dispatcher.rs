//! The dispatcher: claims due outbox messages with a lease, sends each (signed, no
//! redirects, bounded time and response size), and records the attempt with its outcome:
//! delivered, retried with backoff and jitter (honouring `Retry-After` on 429 and 503),
//! dead-lettered after the last attempt, or the subscription disabled on 410.

use herstelbrug_persistence::AttemptResult;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::future::join_all;
use herstelbrug_domain::notification::webhook::retry_delay;
use herstelbrug_persistence::{Claimed, Outcome, WebhookStore};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use uuid::Uuid;

use crate::clock::Clock;
use crate::delivery::{signature, ssrf};

/// The most of a receiver's answer we read: enough for a diagnosis, no more.
const RESPONSE_LIMIT: usize = 4 * 1024;

#[derive(Clone)]
pub struct Dispatcher {
    store: WebhookStore,
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    lease: chrono::Duration,
    batch: u32,
    allow_loopback: bool,
    failures: Option<prometheus::IntCounter>,
}

impl Dispatcher {
    pub fn new(
        store: WebhookStore,
        clock: Arc<dyn Clock>,
        timeout: Duration,
        lease: chrono::Duration,
        batch: u32,
        allow_loopback: bool,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .dns_resolver(ssrf::resolver(allow_loopback))
            .user_agent(concat!("Herstelbrug-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            store,
            client,
            clock,
            lease,
            batch,
            allow_loopback,
            failures: None,
        })
    }

    /// Counts every failed attempt on `failures` (for `/metrics`).
    pub fn counting_failures(mut self, failures: prometheus::IntCounter) -> Self {
        self.failures = Some(failures);
        self
    }

    /// Runs for as long as the process does: a tick every `interval`, draining full batches.
    pub fn spawn(self, interval: Duration) {
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                loop {
                    match self.tick().await {
                        Ok(sent) if sent >= self.batch as usize => continue,
                        Ok(_) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "webhook dispatch failed");
                            break;
                        }
                    }
                }
            }
        });
    }

    /// Numbers what was committed since, then claims one batch and sends it
    /// concurrently; returns how many were claimed.
    pub async fn tick(&self) -> Result<usize, herstelbrug_persistence::StoreError> {
        while self
            .store
            .number_events(self.clock.now(), u64::from(self.batch) * 4)
            .await?
            == self.batch as usize * 4
        {}
        let token = Uuid::new_v4();
        let claimed = self
            .store
            .claim(self.clock.now(), self.lease, self.batch, token)
            .await?;
        let count = claimed.len();
        let results = join_all(claimed.iter().map(|message| self.deliver(message, token))).await;
        for result in results {
            result?;
        }
        Ok(count)
    }

    async fn deliver(
        &self,
        message: &Claimed,
        token: Uuid,
    ) -> Result<(), herstelbrug_persistence::StoreError> {
        let started = Instant::now();
        let sent_at = self.clock.now();
        let result = self.send(message, sent_at).await;
        let duration = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let now = self.clock.now();
        let attempt = message.attempts + 1;
        let (outcome, status, error) = match result {
            Ok((status, headers, body)) => {
                let outcome = decide(status, &headers, attempt, now);
                let error =
                    (!status.is_success()).then(|| format!("HTTP {}: {body}", status.as_u16()));
                (outcome, Some(status.as_u16()), error)
            }
            Err(error) => (retry_or_dead(attempt, now, None), None, Some(error)),
        };
        if let (Some(failures), Some(_)) = (&self.failures, &error) {
            failures.inc();
        }
        let recorded = self
            .store
            .record(
                message,
                AttemptResult {
                    token,
                    outcome: &outcome,
                    status_code: status,
                    error,
                    duration_ms: duration,
                },
                now,
            )
            .await?;
        if !recorded {
            tracing::warn!(message = %message.id, "late delivery result ignored: the lease was taken over");
        }
        Ok(())
    }

    async fn send(
        &self,
        message: &Claimed,
        at: DateTime<Utc>,
    ) -> Result<(StatusCode, HeaderMap, String), String> {
        // Checked again at connection time: the form here, the addresses in the resolver.
        let url = ssrf::check(&message.url, self.allow_loopback).map_err(|e| e.to_string())?;
        let id = format!("msg_{}", message.id.as_uuid().simple());
        let timestamp = at.timestamp();
        let body = message.payload.as_bytes();
        let response = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                signature::sign(&message.secrets, &id, timestamp, body),
            )
            .body(message.payload.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut response = response;
        let mut text = Vec::new();
        while text.len() < RESPONSE_LIMIT {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    text.extend_from_slice(&chunk[..chunk.len().min(RESPONSE_LIMIT - text.len())])
                }
                _ => break,
            }
        }
        Ok((status, headers, String::from_utf8_lossy(&text).into_owned()))
    }
}

/// What an HTTP answer means for the message.
fn decide(status: StatusCode, headers: &HeaderMap, attempt: u32, now: DateTime<Utc>) -> Outcome {
    if status.is_success() {
        return Outcome::Delivered;
    }
    if status == StatusCode::GONE {
        return Outcome::Gone;
    }
    let asked = matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    )
    .then(|| retry_after(headers, now))
    .flatten();
    retry_or_dead(attempt, now, asked)
}

/// The next attempt per the schedule (or as the receiver asked), or dead after the last.
fn retry_or_dead(attempt: u32, now: DateTime<Utc>, asked: Option<Duration>) -> Outcome {
    match retry_delay(attempt, jitter()) {
        None => Outcome::Dead,
        Some(scheduled) => {
            let wait = asked.map_or(scheduled, |asked| asked.max(Duration::from_secs(1)));
            Outcome::Retry {
                at: now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1)),
            }
        }
    }
}

/// `Retry-After` as seconds or an HTTP date, capped at a day.
fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = DateTime::parse_from_rfc2822(value)
                .ok()?
                .with_timezone(&Utc);
            (at - now).to_std().ok()?
        }
    };
    Some(wait.min(Duration::from_secs(24 * 3600)))
}

fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn outcomes_by_status() {
        let now = Utc::now();
        let none = HeaderMap::new();
        assert_eq!(
            decide(StatusCode::NO_CONTENT, &none, 1, now),
            Outcome::Delivered
        );
        assert_eq!(decide(StatusCode::GONE, &none, 1, now), Outcome::Gone);
        assert!(matches!(
            decide(StatusCode::INTERNAL_SERVER_ERROR, &none, 1, now),
            Outcome::Retry { .. }
        ));
        assert_eq!(
            decide(StatusCode::INTERNAL_SERVER_ERROR, &none, 11, now),
            Outcome::Dead
        );
        let mut asked = HeaderMap::new();
        asked.insert(RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(
            decide(StatusCode::TOO_MANY_REQUESTS, &asked, 1, now),
            Outcome::Retry {
                at: now + chrono::Duration::seconds(120)
            }
        );
    }
}
