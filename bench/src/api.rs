//! The API benchmark: the real server (a child process) on a fresh database seeded with
//! N trajectories, driven over HTTP on the write path (transitions that append events and
//! open or resolve alerts), the read path (`GET /v1/trajectories/{id}`) and the referral
//! inbox of 342 municipalities; then pgbench's ceiling for the equivalent work on the same
//! database, each API figure as a ratio to it, and the server's memory.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use herstelbrug_persistence::Database;
use reqwest::{Client, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::cpu;
use crate::load::{Pace, Recorder};
use crate::pgbench;
use crate::same_work;
use crate::seed;
use crate::server::Server;
use crate::waits;

type BoxError = Box<dyn std::error::Error>;

pub struct Options {
    /// Which parts to run: pgbench, write, read, inbox.
    pub only: Vec<String>,
    pub trajectories: u64,
    pub seconds: u64,
    pub concurrency: usize,
    pub municipalities: usize,
    pub server: PathBuf,
    /// Webhook subscriptions of the writing provider to its alerts: each transition then
    /// numbers an event for each (the counter row is locked until commit).
    pub subscriptions: usize,
    /// Runs the server without its webhook dispatcher, so runs with and without
    /// subscriptions differ only in queuing the events.
    pub no_dispatcher: bool,
    /// PostgreSQL's log file, for the same-work scripts; by default the newest in
    /// /var/log/postgresql.
    pub pg_log: Option<PathBuf>,
    /// Where to keep the same-work scripts, to read or rerun them.
    pub scripts: Option<PathBuf>,
    /// Server processes over the one database; the clients are spread over them.
    pub replicas: usize,
}

pub(crate) const PROVIDER: &str = "agb:12345678";

/// A tiny xorshift: the read path picks ids without a random-number crate.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// The status of a response, after reading its body (as a client would); `None` if none came.
pub(crate) async fn status_of(sent: Result<reqwest::Response, reqwest::Error>) -> Option<u16> {
    let response = sent.ok()?;
    let code = response.status().as_u16();
    let _ = response.bytes().await;
    Some(code)
}

pub(crate) struct Run {
    pub(crate) recorder: Recorder,
    pub(crate) elapsed: Duration,
}

impl Run {
    fn rate(&self) -> f64 {
        self.recorder.count() as f64 / self.elapsed.as_secs_f64()
    }
}

pub(crate) async fn join(
    handles: Vec<tokio::task::JoinHandle<Result<Recorder, String>>>,
    started: Instant,
) -> Result<Run, BoxError> {
    let mut recorder = Recorder::new()?;
    for handle in handles {
        recorder.merge(&handle.await??);
    }
    Ok(Run {
        recorder,
        elapsed: started.elapsed(),
    })
}

/// Transitions back and forth: treatment → social_support (ends treatment without
/// follow-up: an event and an alert) → treatment (relapse: an event, the alert resolves).
/// Client `w` uses `tokens[w]` (or the last), and reads where its trajectories stand
/// first unless they are `fresh` (seeded, untouched).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn transitions(
    client: &Client,
    bases: &[String],
    tokens: &[String],
    ids: &[Uuid],
    workers: usize,
    seconds: u64,
    rate: Option<f64>,
    fresh: bool,
) -> Result<Run, BoxError> {
    let per_worker = ids.len() / workers;
    let started = Instant::now();
    let handles = (0..workers)
        .map(|w| {
            // Each client talks to one replica, round robin.
            let base = bases[w % bases.len()].clone();
            let client = client.clone();
            let token = tokens[w.min(tokens.len() - 1)].clone();
            let mine: Vec<Uuid> = ids[w * per_worker..(w + 1) * per_worker].to_vec();
            let interval = rate.map(|r| Duration::from_secs_f64(workers as f64 / r));
            let offset = interval.map_or(Duration::ZERO, |i| i.mul_f64(w as f64 / workers as f64));
            tokio::spawn(async move {
                let mut recorder = Recorder::new().map_err(|e| e.to_string())?;
                // Where each trajectory stands now (an earlier run moved them on).
                let mut state: Vec<(u32, bool)> = Vec::with_capacity(mine.len());
                for id in &mine {
                    if fresh {
                        state.push((1, false));
                        continue;
                    }
                    let current: serde_json::Value = client
                        .get(format!("{base}/v1/trajectories/{id}"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?
                        .json()
                        .await
                        .map_err(|e| e.to_string())?;
                    let version = current["version"].as_u64().unwrap_or(1);
                    state.push((
                        u32::try_from(version).unwrap_or(1),
                        current["phase"] == "social_support",
                    ));
                }
                let mut pace = Pace::new(Duration::from_secs(seconds), interval, offset);
                let mut turn = 0usize;
                while let Some(at) = pace.next().await {
                    let i = turn % mine.len();
                    turn += 1;
                    let (version, ended) = state[i];
                    let body = if ended {
                        r#"{"to": "treatment", "reason": "relapse"}"#
                    } else {
                        r#"{"to": "social_support", "reason": "planned_completion"}"#
                    };
                    let sent = client
                        .post(format!("{base}/v1/trajectories/{}/transitions", mine[i]))
                        .bearer_auth(&token)
                        .header("If-Match", format!("\"{version}\""))
                        .header("Content-Type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    let status = status_of(sent).await;
                    recorder.record(at, status);
                    if status == Some(200) {
                        state[i] = (version + 1, !ended);
                    }
                }
                Ok(recorder)
            })
        })
        .collect();
    join(handles, started).await
}

/// `POST /v1/trajectories` with a new client each time, back to back.
async fn registrations(
    client: &Client,
    bases: &[String],
    token: &str,
    workers: usize,
    seconds: u64,
) -> Result<Run, BoxError> {
    let started = Instant::now();
    let handles = (0..workers)
        .map(|w| {
            // Each client talks to one replica, round robin.
            let base = bases[w % bases.len()].clone();
            let (client, token) = (client.clone(), token.to_owned());
            tokio::spawn(async move {
                let mut recorder = Recorder::new().map_err(|e| e.to_string())?;
                let mut pace = Pace::new(Duration::from_secs(seconds), None, Duration::ZERO);
                while let Some(at) = pace.next().await {
                    let body = format!(
                        r#"{{"client_ref": "{}", "municipality": "gemeente:0268", "started_on": "2026-01-05"}}"#,
                        Uuid::new_v4()
                    );
                    let sent = client
                        .post(format!("{base}/v1/trajectories"))
                        .bearer_auth(&token)
                        .header("Content-Type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    let status = status_of(sent).await;
                    recorder.record(at, status);
                }
                Ok(recorder)
            })
        })
        .collect();
    join(handles, started).await
}

/// `GET /v1/trajectories/{id}` for random ids of the provider's.
async fn reads(
    client: &Client,
    bases: &[String],
    token: &str,
    ids: &[Uuid],
    workers: usize,
    seconds: u64,
) -> Result<Run, BoxError> {
    let started = Instant::now();
    let handles = (0..workers)
        .map(|w| {
            // Each client talks to one replica, round robin.
            let base = bases[w % bases.len()].clone();
            let (client, token) = (client.clone(), token.to_owned());
            let ids = ids.to_vec();
            tokio::spawn(async move {
                let mut recorder = Recorder::new().map_err(|e| e.to_string())?;
                let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ (w as u64 + 1);
                let mut pace = Pace::new(Duration::from_secs(seconds), None, Duration::ZERO);
                while let Some(at) = pace.next().await {
                    let id = ids[(next(&mut seed) % ids.len() as u64) as usize];
                    let sent = client
                        .get(format!("{base}/v1/trajectories/{id}"))
                        .bearer_auth(&token)
                        .send()
                        .await;
                    recorder.record(at, status_of(sent).await);
                }
                Ok(recorder)
            })
        })
        .collect();
    join(handles, started).await
}

/// One poller per municipality: `url` with `If-None-Match: etag` (or none), every
/// `interval` or back to back.
pub(crate) async fn polls(
    client: &Client,
    pollers: Vec<(String, String, Option<String>)>,
    seconds: u64,
    interval: Option<Duration>,
) -> Result<Run, BoxError> {
    paced(
        client,
        pollers,
        seconds,
        interval,
        |client, (url, token, etag)| {
            let request = client.get(url).bearer_auth(token);
            match etag {
                Some(tag) => request.header("If-None-Match", tag),
                None => request,
            }
        },
    )
    .await
}

/// One task per sender, each sending `request(sender)` every `interval` (spread evenly
/// over it) or back to back, for `seconds`.
pub(crate) async fn paced<T: Send + 'static>(
    client: &Client,
    senders: Vec<T>,
    seconds: u64,
    interval: Option<Duration>,
    request: fn(&Client, &T) -> reqwest::RequestBuilder,
) -> Result<Run, BoxError> {
    let count = senders.len();
    let started = Instant::now();
    let handles = senders
        .into_iter()
        .enumerate()
        .map(|(n, sender)| {
            let client = client.clone();
            let offset = interval.map_or(Duration::ZERO, |i| i.mul_f64(n as f64 / count as f64));
            tokio::spawn(async move {
                let mut recorder = Recorder::new().map_err(|e| e.to_string())?;
                let mut pace = Pace::new(Duration::from_secs(seconds), interval, offset);
                while let Some(at) = pace.next().await {
                    let sent = request(&client, &sender).send().await;
                    recorder.record(at, status_of(sent).await);
                }
                Ok(recorder)
            })
        })
        .collect();
    join(handles, started).await
}

pub(crate) async fn expect(
    response: reqwest::Response,
    status: StatusCode,
) -> Result<serde_json::Value, BoxError> {
    if response.status() != status {
        let got = response.status();
        return Err(format!("expected {status}, got {got}: {}", response.text().await?).into());
    }
    Ok(response.json().await.unwrap_or(serde_json::Value::Null))
}

/// Each municipality gets one referral from a seeded trajectory; returns the pollers of
/// the empty case (a cursor after that referral, with its ETag) and the non-empty case.
#[allow(clippy::type_complexity)]
pub(crate) async fn inbox_pollers(
    server: &Server,
    client: &Client,
    provider: &str,
    ids: &[Uuid],
    municipalities: usize,
) -> Result<
    (
        Vec<(String, String, Option<String>)>,
        Vec<(String, String, Option<String>)>,
    ),
    BoxError,
> {
    let base = &server.base;
    let mut empty = Vec::new();
    let mut full = Vec::new();
    for (n, id) in ids.iter().take(municipalities).enumerate() {
        let org = format!("gemeente:{:04}", n + 1);
        let consent = client
            .post(format!("{base}/v1/trajectories/{id}/consents"))
            .bearer_auth(provider)
            .json(&serde_json::json!({"organisation": org, "purpose": "Aanmelding Wmo"}))
            .send()
            .await?;
        expect(consent, StatusCode::CREATED).await?;
        let referral = client
            .post(format!("{base}/v1/trajectories/{id}/referrals"))
            .bearer_auth(provider)
            .json(&serde_json::json!({"kind": "housing", "recipient": org, "needs": "Woonruimte",
                "client": {"name": "J. Jansen"}, "referrer": {"name": "M. de Vries", "phone": "024-1234567"}}))
            .send()
            .await?;
        expect(referral, StatusCode::CREATED).await?;
        let token = server.token(&org, "municipality")?;
        let inbox = format!("{base}/v1/referrals/inbox");
        // Read to the end once; a poll after that cursor has nothing new: 304.
        let mut page = serde_json::Value::Null;
        for _ in 0..50 {
            let response = client
                .get(format!("{inbox}?wait=1"))
                .bearer_auth(&token)
                .send()
                .await?;
            page = expect(response, StatusCode::OK).await?;
            if page["items"]
                .as_array()
                .is_some_and(|items| !items.is_empty())
            {
                break;
            }
        }
        let cursor = page["next_cursor"].as_str().ok_or("no cursor")?.to_owned();
        let after = format!("{inbox}?after={cursor}");
        let etag = client
            .get(&after)
            .bearer_auth(&token)
            .send()
            .await?
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        empty.push((after, token.clone(), etag));
        full.push((inbox, token, None));
    }
    Ok((empty, full))
}

fn ratio(api: f64, ceiling: Option<&pgbench::Ceiling>, what: &str) -> String {
    ceiling.map_or_else(
        || "-".to_owned(),
        |c| format!("{:.2} of pgbench's {what} {:.0}/s", api / c.tps, c.tps),
    )
}

fn ratios(api: f64, core: &Option<pgbench::Ceiling>, same: &Option<pgbench::Ceiling>) -> String {
    format!(
        "{} | {}",
        ratio(api, same.as_ref(), "same work"),
        ratio(api, core.as_ref(), "core")
    )
}

/// pgbench's ceilings on the benchmark's database, each with PostgreSQL's CPU per
/// request; a same-work ceiling counts requests, not script runs (a transition script
/// is a pair of transitions).
#[derive(Default)]
struct Ceilings {
    write: Option<pgbench::Ceiling>,
    read: Option<pgbench::Ceiling>,
    insert: Option<pgbench::Ceiling>,
    same_transition: Option<pgbench::Ceiling>,
    same_read: Option<pgbench::Ceiling>,
    same_register: Option<pgbench::Ceiling>,
}

fn ceiling(
    url: &str,
    name: &str,
    script: &str,
    requests_per_run: u64,
    options: &Options,
    pids: &[u32],
) -> Result<pgbench::Ceiling, BoxError> {
    let before = cpu::sample(pids);
    let mut ceiling = pgbench::run(url, script, options.concurrency, options.seconds)?;
    let after = cpu::sample(pids);
    ceiling.tps *= requests_per_run as f64;
    ceiling.transactions *= requests_per_run;
    let database = (after.postgres - before.postgres) * 1e6 / ceiling.transactions.max(1) as f64;
    println!(
        "pgbench {name}: {:.0} requests/s, PostgreSQL CPU {database:.0} µs per request",
        ceiling.tps
    );
    Ok(ceiling)
}

async fn measure_ceilings(
    db: &Database,
    url: &str,
    options: &Options,
    pids: &[u32],
) -> Result<Ceilings, BoxError> {
    pgbench::prepare(&db.conn).await?;
    let mut ceilings = Ceilings {
        write: Some(ceiling(
            url,
            "update + insert",
            pgbench::builtin("write"),
            1,
            options,
            pids,
        )?),
        read: Some(ceiling(
            url,
            "PK read",
            pgbench::builtin("read"),
            1,
            options,
            pids,
        )?),
        insert: Some(ceiling(
            url,
            "plain insert",
            pgbench::builtin("insert"),
            1,
            options,
            pids,
        )?),
        ..Ceilings::default()
    };
    let Some(log) = options.pg_log.clone().or_else(same_work::log_file) else {
        println!("no PostgreSQL log found: no same-work ceiling (pass --pg-log)");
        return Ok(ceilings);
    };
    let scripts = same_work::capture(&db.conn, url, &options.server, &log, PROVIDER).await?;
    let [forward, back, read, register] = scripts.statements;
    println!(
        "captured from {}: transition {forward} + {back} statements, read {read}, registration {register}",
        log.display()
    );
    if let Some(dir) = &options.scripts {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("transitions.sql"), &scripts.transitions)?;
        std::fs::write(dir.join("read.sql"), &scripts.read)?;
        std::fs::write(dir.join("register.sql"), &scripts.register)?;
    }
    ceilings.same_transition = Some(ceiling(
        url,
        "same work, transitions",
        &scripts.transitions,
        2,
        options,
        pids,
    )?);
    ceilings.same_read = Some(ceiling(
        url,
        "same work, read",
        &scripts.read,
        1,
        options,
        pids,
    )?);
    ceilings.same_register = Some(ceiling(
        url,
        "same work, registration",
        &scripts.register,
        1,
        options,
        pids,
    )?);
    Ok(ceilings)
}

pub async fn run(db: &Database, url: &str, options: &Options) -> Result<(), BoxError> {
    let Options {
        only,
        trajectories,
        seconds,
        concurrency,
        municipalities,
        server,
        subscriptions,
        no_dispatcher,
        replicas: replicas_wanted,
        ..
    } = options;
    let postgres = db.backend() == DbBackend::Postgres;
    let started = Instant::now();
    seed::trajectories(&db.conn, *trajectories, 0, chrono::Utc::now()).await?;
    if postgres {
        db.conn.execute_unprepared("ANALYZE").await?;
    }
    println!(
        "seeded {trajectories} trajectories in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let sample = (concurrency * 8 + municipalities + 10_000) as u64;
    let ids: Vec<Uuid> = db
        .conn
        .query_all_raw(Statement::from_string(
            db.backend(),
            format!("SELECT id FROM trajectories ORDER BY client_ref LIMIT {sample}"),
        ))
        .await?
        .iter()
        .filter_map(|row| row.try_get::<Uuid>("", "id").ok())
        .collect();
    let (writers, rest) = ids.split_at((concurrency * 8).min(ids.len()));
    let (referred, readers) = rest.split_at((*municipalities).min(rest.len()));

    // Subscriptions point at a loopback port nobody listens on.
    let loopback = ("HERSTELBRUG_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "true");
    let extra: &[(&str, &str)] = if *no_dispatcher {
        &[loopback, ("HERSTELBRUG_DISPATCHER", "off")]
    } else {
        &[loopback]
    };
    let mut replicas = Vec::with_capacity(*replicas_wanted);
    for _ in 0..(*replicas_wanted).max(1) {
        replicas.push(Server::start(server, url, extra).await?);
    }
    let server = &replicas[0];
    let pids: Vec<u32> = replicas.iter().map(Server::pid).collect();
    let bases: Vec<String> = replicas.iter().map(|r| r.base.clone()).collect();
    let (rss, _) = server.memory_mib();
    println!(
        "{} server replica(s) up: {rss:.1} MiB resident each",
        replicas.len()
    );
    let provider = server.token(PROVIDER, "provider")?;
    let client = Client::builder()
        .pool_max_idle_per_host(2048)
        .timeout(Duration::from_secs(60))
        .build()?;
    for n in 0..*subscriptions {
        let created = client
            .post(format!("{}/v1/webhook-subscriptions", server.base))
            .bearer_auth(&provider)
            .json(&serde_json::json!({
                "url": format!("http://127.0.0.1:9/hook-{n}"),
                "event_types": ["alert.opened", "alert.resolved"],
            }))
            .send()
            .await?;
        if created.status() != StatusCode::CREATED {
            return Err(format!("subscription refused: {}", created.text().await?).into());
        }
    }
    if *subscriptions > 0 {
        println!("{subscriptions} webhook subscription(s) to the writer's alerts");
    }
    let wants = |part: &str| only.iter().any(|o| o == part);
    let ceilings = if postgres && wants("pgbench") {
        measure_ceilings(db, url, options, &pids).await?
    } else {
        Ceilings::default()
    };

    let cpu_line = |before, requests| {
        format!(
            "  {}",
            cpu::per_request(before, cpu::sample(&pids), requests, postgres)
        )
    };
    if wants("write") {
        let before = cpu::sample(&pids);
        let sampler = postgres.then(|| waits::start(db.conn.clone()));
        let write = transitions(
            &client,
            &bases,
            std::slice::from_ref(&provider),
            writers,
            *concurrency,
            *seconds,
            None,
            false,
        )
        .await?;
        println!(
            "transitions, {concurrency} clients back to back: {} | {}",
            write.recorder.line(write.elapsed),
            ratios(write.rate(), &ceilings.write, &ceilings.same_transition)
        );
        println!("{}", cpu_line(before, write.recorder.count()));
        if let Some(sampler) = sampler {
            println!("{}", sampler.finish().await);
        }
        let half = write.rate() / 2.0;
        let paced = transitions(
            &client,
            &bases,
            std::slice::from_ref(&provider),
            writers,
            *concurrency,
            *seconds,
            Some(half),
            false,
        )
        .await?;
        println!(
            "transitions at half that ({half:.0}/s offered): {}",
            paced.recorder.line(paced.elapsed)
        );
    }
    if wants("register") {
        let before = cpu::sample(&pids);
        let run = registrations(&client, &bases, &provider, *concurrency, *seconds).await?;
        println!(
            "POST /v1/trajectories, {concurrency} clients: {} | {} | {}",
            run.recorder.line(run.elapsed),
            ratio(run.rate(), ceilings.same_register.as_ref(), "same work"),
            ratio(run.rate(), ceilings.insert.as_ref(), "plain insert"),
        );
        println!("{}", cpu_line(before, run.recorder.count()));
    }
    if wants("read") {
        let before = cpu::sample(&pids);
        let sampler = postgres.then(|| waits::start(db.conn.clone()));
        let read = reads(&client, &bases, &provider, readers, *concurrency, *seconds).await?;
        let cpu = cpu_line(before, read.recorder.count());
        println!(
            "GET /v1/trajectories/{{id}}, {concurrency} clients: {} | {}",
            read.recorder.line(read.elapsed),
            ratios(read.rate(), &ceilings.read, &ceilings.same_read)
        );
        println!("{cpu}");
        if let Some(sampler) = sampler {
            println!("{}", sampler.finish().await);
        }
    }
    if wants("inbox") {
        let (empty, full) =
            inbox_pollers(server, &client, &provider, referred, *municipalities).await?;
        let count = empty.len();
        let quiet = polls(
            &client,
            empty.clone(),
            *seconds,
            Some(Duration::from_secs(1)),
        )
        .await?;
        println!(
            "inbox, nothing new, {count} municipalities each polling every 1 s: {}",
            quiet.recorder.line(quiet.elapsed)
        );
        let flood = polls(&client, empty, *seconds, None).await?;
        println!(
            "inbox, nothing new, {count} municipalities back to back: {} | {}",
            flood.recorder.line(flood.elapsed),
            ratio(flood.rate(), ceilings.read.as_ref(), "PK read")
        );
        let busy = polls(&client, full, *seconds, None).await?;
        println!(
            "inbox, one referral each, {count} municipalities back to back: {} | {}",
            busy.recorder.line(busy.elapsed),
            ratio(busy.rate(), ceilings.read.as_ref(), "PK read")
        );
    }
    if let (Some(w), Some(r)) = (&ceilings.write, &ceilings.read) {
        println!(
            "pgbench, {concurrency} clients: update + insert {:.0} tps ({:.2} ms avg), prepared PK read {:.0} tps ({:.2} ms avg)",
            w.tps, w.latency_ms, r.tps, r.latency_ms
        );
    }
    for replica in &replicas {
        let (rss, peak) = replica.memory_mib();
        println!("server memory after the run: {rss:.1} MiB resident, {peak:.1} MiB peak");
    }
    Ok(())
}
