//! Webhook delivery throughput and lag: an outbox of N messages (queued at once, as after
//! a burst), D dispatchers racing for it, and a local receiver that answers 204 and counts
//! every `webhook-id`, so a message sent twice would show.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use herstelbrug_api::delivery::dispatcher::Dispatcher;
use herstelbrug_api::{Clock, SystemClock};
use herstelbrug_persistence::{Database, WebhookStore};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

type Seen = Arc<Mutex<HashMap<String, (u32, Instant)>>>;

async fn receive(req: HttpRequest, seen: web::Data<Seen>) -> HttpResponse {
    let id = req
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Ok(mut seen) = seen.lock() {
        let entry = seen.entry(id).or_insert((0, Instant::now()));
        entry.0 += 1;
    }
    HttpResponse::NoContent().finish()
}

/// Seeds `count` pending messages for one subscription to `url`, each its own ordering key.
async fn seed(db: &Database, url: &str, count: u64) -> Result<(), sea_orm::DbErr> {
    let backend = db.backend();
    let now = chrono::Utc::now();
    let (subscription, messages) = match backend {
        DbBackend::Postgres => (
            format!(
                "INSERT INTO webhook_subscriptions (id, org, url, event_types, secret, status, created_at, updated_at) \
                 VALUES ('00000000-0000-7000-8000-000000000001', 'agb:12345678', '{url}', 'webhook.test', \
                 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'active', now(), now())"
            ),
            format!(
                "INSERT INTO webhook_messages (id, subscription_id, event_type, ordering_key, payload, status, attempts, \
                 next_attempt_at, created_at) SELECT gen_random_uuid(), '00000000-0000-7000-8000-000000000001', \
                 'webhook.test', gen_random_uuid(), '{{\"type\":\"webhook.test\"}}', 'pending', 0, now(), now() \
                 FROM generate_series(1, {count})"
            ),
        ),
        _ => {
            let at = now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
            (
                format!(
                    "INSERT INTO webhook_subscriptions (id, org, url, event_types, secret, status, created_at, updated_at) \
                     VALUES (x'00000000000070008000000000000001', 'agb:12345678', '{url}', 'webhook.test', \
                     'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'active', '{at}', '{at}')"
                ),
                format!(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
                     INSERT INTO webhook_messages (id, subscription_id, event_type, ordering_key, payload, status, \
                     attempts, next_attempt_at, created_at) SELECT randomblob(16), x'00000000000070008000000000000001', \
                     'webhook.test', randomblob(16), '{{\"type\":\"webhook.test\"}}', 'pending', 0, '{at}', '{at}' FROM n"
                ),
            )
        }
    };
    db.conn
        .execute_raw(Statement::from_string(backend, subscription))
        .await?;
    db.conn
        .execute_raw(Statement::from_string(backend, messages))
        .await?;
    Ok(())
}

pub async fn run(
    db: &Database,
    count: u64,
    dispatchers: u32,
    batch: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    let seen: Seen = Arc::default();
    let data = web::Data::new(seen.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(receive))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))?;
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    seed(db, &format!("http://127.0.0.1:{port}/hook"), count).await?;

    let started = Instant::now();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    for _ in 0..dispatchers {
        Dispatcher::new(
            WebhookStore::new(db.conn.clone()),
            clock.clone(),
            Duration::from_secs(10),
            chrono::Duration::seconds(60),
            batch,
            true,
        )?
        .spawn(Duration::from_millis(10));
    }
    // Bounded: give up after ten minutes.
    while started.elapsed() < Duration::from_secs(600) {
        let received = seen.lock().map(|s| s.len()).unwrap_or(0) as u64;
        if received >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    let twice = seen.values().filter(|(n, _)| *n > 1).count();
    let mut lags: Vec<Duration> = seen
        .values()
        .map(|(_, at)| at.duration_since(started))
        .collect();
    lags.sort();
    let pick = |p: f64| {
        lags.get(((lags.len().max(1) - 1) as f64 * p) as usize)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{count} messages, {dispatchers} dispatchers, batch {batch}: delivered {} in {:.2} s ({:.0}/s); \
         sent twice: {twice}; lag from enqueue p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        seen.len(),
        elapsed.as_secs_f64(),
        seen.len() as f64 / elapsed.as_secs_f64(),
        pick(0.5).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0,
        pick(1.0).as_secs_f64() * 1000.0,
    );
    Ok(())
}
