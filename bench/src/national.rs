//! A national day, all at once against one server on N seeded trajectories: 342
//! municipalities polling their inbox every second, a night batch of 10,000 transitions
//! from 20 EHRs within the run, 200 webhook subscriptions (each EHR's to its alerts,
//! delivered to a local receiver, and 180 municipalities' to their referrals), 50
//! dashboards reading figures every 10 s, capacity posts from 2,000 services, each
//! once a minute, and 10,000 deadlines due as the day starts. Reports latency per kind, errors, webhook delivery lag, the scheduler
//! and outbox lag the server reports, and its memory.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::{DateTime, Utc};
use herstelbrug_persistence::Database;
use reqwest::{Client, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::api::{self, Run};
use crate::load::Pace;
use crate::seed;
use crate::server::Server;

type BoxError = Box<dyn std::error::Error>;

pub struct Options {
    pub trajectories: u64,
    pub seconds: u64,
    pub server: PathBuf,
    pub batch: u64,
    /// Trajectories whose deadline timer is due when the day starts.
    pub due: u64,
    pub ehrs: u64,
    pub municipalities: usize,
    pub dashboards: usize,
    pub services: usize,
    pub subscribers: usize,
}

fn gemeente(n: usize) -> String {
    format!("gemeente:{:04}", n % 9999 + 1)
}

/// What the receiver saw: per delivery, the seconds from the event's timestamp.
type Lags = Arc<Mutex<Vec<f64>>>;

async fn receive(body: web::Bytes, lags: web::Data<Lags>) -> HttpResponse {
    let sent: Option<DateTime<Utc>> = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["timestamp"].as_str().and_then(|t| t.parse().ok()));
    if let (Some(at), Ok(mut lags)) = (sent, lags.lock()) {
        lags.push((Utc::now() - at).num_microseconds().unwrap_or(0) as f64 / 1e6);
    }
    HttpResponse::NoContent().finish()
}

/// The last `batch` seeded trajectories (by client_ref number; the first ones have the due
/// timers) go to the 20 EHRs, round robin.
async fn assign(
    db: &Database,
    size: u64,
    batch: u64,
    ehrs: u64,
) -> Result<HashMap<String, Vec<Uuid>>, BoxError> {
    let number = "CAST(substr(client_ref, 7) AS INTEGER)";
    let first = size.saturating_sub(batch);
    db.conn
        .execute_unprepared(&format!(
            "UPDATE trajectories SET treating_provider = 'agb:' || CAST(12000000 + {number} % {ehrs} AS TEXT) \
             WHERE {number} > {first}"
        ))
        .await?;
    if db.backend() == DbBackend::Postgres {
        db.conn.execute_unprepared("ANALYZE").await?;
    }
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(
            db.backend(),
            format!("SELECT id, treating_provider FROM trajectories WHERE {number} > {first}"),
        ))
        .await?;
    let mut by_ehr: HashMap<String, Vec<Uuid>> = HashMap::new();
    for row in rows {
        by_ehr
            .entry(row.try_get("", "treating_provider")?)
            .or_default()
            .push(row.try_get("", "id")?);
    }
    Ok(by_ehr)
}

/// Paced POSTs of `(url, token, body)`, each every `interval`.
async fn posts(
    client: &Client,
    posters: Vec<(String, String, String)>,
    seconds: u64,
    interval: Duration,
) -> Result<Run, BoxError> {
    api::paced(
        client,
        posters,
        seconds,
        Some(interval),
        |client, (url, token, body)| {
            client
                .post(url)
                .bearer_auth(token)
                .header("Content-Type", "application/json")
                .body(body.clone())
        },
    )
    .await
}

/// `metric`'s value in the server's Prometheus text (0 if absent or unreachable).
async fn metric(client: &Client, base: &str, metric: &str) -> f64 {
    let Ok(response) = client.get(format!("{base}/metrics")).send().await else {
        return 0.0;
    };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(metric).and_then(|r| r.strip_prefix(' ')))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// The highest value of each of `metrics`, sampled every second for `seconds`.
async fn watch(
    client: Client,
    base: String,
    metrics: &'static [&'static str],
    seconds: u64,
) -> Vec<f64> {
    let mut highest = vec![0.0f64; metrics.len()];
    let mut pace = Pace::new(
        Duration::from_secs(seconds),
        Some(Duration::from_secs(1)),
        Duration::ZERO,
    );
    while pace.next().await.is_some() {
        for (i, name) in metrics.iter().enumerate() {
            highest[i] = highest[i].max(metric(&client, &base, name).await);
        }
    }
    highest
}

fn report(kind: &str, run: &Run) {
    println!("{kind:<44} {}", run.recorder.line(run.elapsed));
}

pub async fn run(db: &Database, url: &str, options: &Options) -> Result<(), BoxError> {
    let started = Instant::now();
    // The due deadlines are seeded a month ahead and brought forward as the day starts,
    // so the scheduler meets them during the day, not during the set-up.
    let month = Utc::now() + chrono::Duration::days(30);
    seed::trajectories(&db.conn, options.trajectories, options.due, month).await?;
    let by_ehr = assign(db, options.trajectories, options.batch, options.ehrs).await?;
    println!(
        "seeded {} trajectories ({} with a deadline due), {} of them with {} EHRs, in {:.1} s",
        options.trajectories,
        options.due,
        options.batch,
        by_ehr.len(),
        started.elapsed().as_secs_f64()
    );

    let lags: Lags = Arc::default();
    let data = web::Data::new(lags.clone());
    let receiver = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::post().to(receive))
    })
    .workers(1)
    .bind("127.0.0.1:0")?;
    let hook = format!("http://{}/hook", receiver.addrs()[0]);
    let receiver = receiver.run();
    let stop = receiver.handle();
    tokio::spawn(receiver);

    let server = Server::start(
        &options.server,
        url,
        &[("HERSTELBRUG_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "true")],
    )
    .await?;
    let base = server.base.clone();
    let client = Client::builder()
        .pool_max_idle_per_host(4096)
        .timeout(Duration::from_secs(60))
        .build()?;

    // Set-up over the API: subscriptions, services, the municipalities' referrals.
    let mut ehrs: Vec<(String, String, Vec<Uuid>)> = Vec::new();
    let mut names: Vec<&String> = by_ehr.keys().collect();
    names.sort();
    for name in names {
        ehrs.push((
            name.clone(),
            server.token(name, "provider")?,
            by_ehr[name].clone(),
        ));
    }
    for n in 0..options.subscribers {
        let (token, events) = match ehrs.get(n) {
            Some((_, token, _)) => (token.clone(), vec!["alert.opened", "alert.resolved"]),
            None => (
                server.token(&gemeente(n), "municipality")?,
                vec!["referral.received"],
            ),
        };
        let created = client
            .post(format!("{base}/v1/webhook-subscriptions"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"url": hook, "event_types": events}))
            .send()
            .await?;
        api::expect(created, StatusCode::CREATED).await?;
    }
    let mut capacity = Vec::new();
    for n in 0..options.services {
        let owner = gemeente(n % options.municipalities.max(1));
        let token = server.token(&owner, "municipality")?;
        let created = client
            .post(format!("{base}/v1/services"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": format!("Dienst {n}"), "kind": "housing", "serves": [owner]}))
            .send()
            .await?;
        let service = api::expect(created, StatusCode::CREATED).await?;
        let id = service["id"].as_str().ok_or("no service id")?.to_owned();
        capacity.push((
            format!("{base}/v1/services/{id}/capacity"),
            token,
            format!(
                r#"{{"unit": "places", "available": {}, "maximum": 12}}"#,
                n % 13
            ),
        ));
    }
    // The municipalities' referrals come from trajectories outside the batch.
    let spare: Vec<Uuid> = db
        .conn
        .query_all_raw(Statement::from_string(
            db.backend(),
            format!(
                "SELECT id FROM trajectories WHERE treating_provider = '{}' ORDER BY client_ref LIMIT {}",
                api::PROVIDER,
                options.municipalities
            ),
        ))
        .await?
        .iter()
        .filter_map(|row| row.try_get::<Uuid>("", "id").ok())
        .collect();
    let provider = server.token(api::PROVIDER, "provider")?;
    let (inbox, _) =
        api::inbox_pollers(&server, &client, &provider, &spare, options.municipalities).await?;
    let mut dashboards = Vec::new();
    for n in 0..options.dashboards {
        let org = match ehrs.get(n) {
            Some((name, _, _)) => name.clone(),
            None => gemeente(n),
        };
        dashboards.push((
            format!("{base}/v1/figures/continuity?interval=quarter"),
            server.token(&org, "dashboard")?,
            None,
        ));
    }
    println!(
        "set up in {:.1} s: {} subscriptions, {} services, {} municipalities with a referral, {} dashboards",
        started.elapsed().as_secs_f64(),
        options.subscribers,
        capacity.len(),
        inbox.len(),
        dashboards.len()
    );

    // The day: everything at once, starting with the deadlines falling due.
    let marks = match db.backend() {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    db.conn
        .execute_raw(Statement::from_sql_and_values(
            db.backend(),
            format!(
                "UPDATE timers SET due_at = {} WHERE due_at < {}",
                marks.0, marks.1
            ),
            [
                Utc::now().into(),
                (month + chrono::Duration::days(1)).into(),
            ],
        ))
        .await?;
    let seconds = options.seconds;
    let tokens: Vec<String> = ehrs.iter().map(|(_, t, _)| t.clone()).collect();
    let ids: Vec<Uuid> = ehrs.iter().flat_map(|(_, _, ids)| ids.clone()).collect();
    let bases = vec![base.clone()];
    let rate = options.batch as f64 / seconds as f64;
    let watcher = tokio::spawn(watch(
        client.clone(),
        base.clone(),
        &[
            "herstelbrug_scheduler_lag_seconds",
            "herstelbrug_outbox_lag_seconds",
            "herstelbrug_outbox_pending_messages",
        ],
        seconds,
    ));
    let (batch, polled, dashboard, posted) = tokio::join!(
        api::transitions(
            &client,
            &bases,
            &tokens,
            &ids,
            ehrs.len(),
            seconds,
            Some(rate),
            true
        ),
        api::polls(&client, inbox, seconds, Some(Duration::from_secs(1))),
        api::polls(&client, dashboards, seconds, Some(Duration::from_secs(10))),
        posts(&client, capacity, seconds, Duration::from_secs(60)),
    );
    let highest = watcher.await?;
    report(
        &format!("night batch: transitions ({rate:.0}/s offered)"),
        &batch?,
    );
    report("inbox polls (304), every 1 s", &polled?);
    report("figures, every 10 s", &dashboard?);
    report("capacity posts, each service once a minute", &posted?);
    // Deliveries still under way finish within a few dispatcher rounds.
    let drained = Instant::now();
    while metric(&client, &base, "herstelbrug_outbox_pending_messages").await > 0.0
        && drained.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "outbox drained {:.1} s after the day ended",
        drained.elapsed().as_secs_f64()
    );
    let mut lags = lags.lock().map(|l| l.clone()).unwrap_or_default();
    lags.sort_by(f64::total_cmp);
    let at = |q: f64| {
        lags.get(((lags.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "webhook deliveries: {} | lag from the event: p50 {:.2} s  p99 {:.2} s  max {:.2} s",
        lags.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    println!(
        "server-reported, highest during the day: scheduler lag {:.1} s, outbox lag {:.1} s, outbox pending {:.0}",
        highest[0], highest[1], highest[2]
    );
    let (rss, peak) = server.memory_mib();
    println!("server memory: {rss:.1} MiB resident, {peak:.1} MiB peak");
    stop.stop(false).await;
    Ok(())
}
