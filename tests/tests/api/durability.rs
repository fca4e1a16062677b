//! Nothing acknowledged is lost: kill the server process with SIGKILL right after a 2xx,
//! start it again on the same database, and every acknowledged change is there.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{AUDIENCE, ISSUER, PROVIDER_A, SECRET, TestDatabase, token};

pub(crate) struct Server {
    child: Child,
    pub(crate) address: String,
    /// Every line the server logged.
    pub(crate) logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// POSTs `body` as JSON to `path` with a bearer token.
    async fn post(
        &self,
        client: &reqwest::Client,
        token: &str,
        path: &str,
        body: &Value,
    ) -> reqwest::Response {
        client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("sent")
    }
}

/// Starts `herstelbrug serve` as its own process and waits for the port it reports.
fn start(database_url: &str) -> Server {
    start_with(database_url, &[])
}

/// Like [`start`], with extra environment (scheduler settings, a clock offset).
pub(crate) fn start_with(database_url: &str, env: &[(&str, String)]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"));
    command
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("HERSTELBRUG_LISTEN", "127.0.0.1:0")
        .env("HERSTELBRUG_JWT_SECRET", SECRET)
        .env("HERSTELBRUG_JWT_ISSUER", ISSUER)
        .env("HERSTELBRUG_JWT_AUDIENCE", AUDIENCE)
        .env(
            "HERSTELBRUG_BSN_SECRET",
            "durability-test-bsn-secret-of-32-bytes!",
        )
        .env("HERSTELBRUG_WORKERS", "1")
        .env("HERSTELBRUG_LOG_FORMAT", "json")
        .env("RUST_LOG", "info");
    // The test's own settings last, so they win.
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server process starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .expect("readable log");
        let Ok(entry) = serde_json::from_str::<Value>(&line) else {
            // The text format: `... herstelbrug listening port=4711 ...`.
            if line.contains("herstelbrug listening")
                && let Some(port) = line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("port="))
                    .and_then(|p| p.parse::<u64>().ok())
            {
                break port;
            }
            continue;
        };
        if entry["fields"]["message"] == "herstelbrug listening" {
            break entry["fields"]["port"].as_u64().expect("port logged");
        }
    };
    // Keep draining the log so the server never blocks on a full pipe, and keep it.
    let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = logs.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if let Ok(mut kept) = kept.lock() {
                kept.push(line);
            }
        }
    });
    Server {
        child,
        address: format!("http://127.0.0.1:{port}"),
        logs,
    }
}

#[tokio::test]
async fn sigkill_right_after_a_2xx_loses_nothing() {
    let db = TestDatabase::fresh().await;
    let client = reqwest::Client::new();
    let t = token(PROVIDER_A, "provider");

    let mut server = start(db.url());
    let mut ids = Vec::new();
    for n in 0..5 {
        let response = client
            .post(format!("{}/v1/trajectories", server.address))
            .bearer_auth(&t)
            .json(&json!({"client_ref": format!("client-{n}"), "municipality": "gemeente:0268", "started_on": "2026-01-05"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 201);
        ids.push(
            response.json::<Value>().await.expect("json")["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let moved = client
        .post(format!(
            "{}/v1/trajectories/{}/transitions",
            server.address, ids[0]
        ))
        .bearer_auth(&t)
        .header("If-Match", "\"1\"")
        .json(&json!({"to": "closed", "reason": "moved"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(moved.status(), 200);
    // SIGKILL: no graceful shutdown, no chance to flush anything after the response.
    server.child.kill().expect("killed");
    server.child.wait().expect("reaped");

    let server = start(db.url());
    let list: Value = client
        .get(format!("{}/v1/trajectories", server.address))
        .bearer_auth(&t)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let found: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(found, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(list["items"][0]["phase"], "closed");
    assert_eq!(list["items"][0]["version"], 2);
}

#[tokio::test]
async fn sigterm_shuts_down_gracefully() {
    let db = TestDatabase::fresh().await;
    let mut server = start(db.url());
    let ready = reqwest::get(format!("{}/health/ready", server.address))
        .await
        .expect("sent");
    assert_eq!(ready.status(), 200);
    let pid = server.child.id().to_string();
    let signalled = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let status = server.child.wait().expect("exits");
    assert!(
        status.success(),
        "a SIGTERM ends the server cleanly: {status}"
    );
}

const TEN_DAYS: i64 = 10 * 24 * 3600;

/// Registers `count` trajectories of provider A, each with a referral to Nijmegen that
/// nobody acknowledges: each leaves a timer due after five working days.
async fn seed_unacknowledged(client: &reqwest::Client, address: &str, count: usize) {
    let t = token(PROVIDER_A, "provider");
    for n in 0..count {
        let trajectory: Value = client
            .post(format!("{address}/v1/trajectories"))
            .bearer_auth(&t)
            .json(&json!({"client_ref": format!("client-{n}"), "municipality": "gemeente:0268", "started_on": "2026-01-05"}))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        let id = trajectory["id"].as_str().expect("id");
        let consent = client
            .post(format!("{address}/v1/trajectories/{id}/consents"))
            .bearer_auth(&t)
            .json(&json!({"organisation": "gemeente:0268", "purpose": "Wmo"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(consent.status(), 201);
        let referral = client
            .post(format!("{address}/v1/trajectories/{id}/referrals"))
            .bearer_auth(&t)
            .json(&json!({"kind": "housing", "recipient": "gemeente:0268", "needs": "Woonruimte"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(referral.status(), 201);
    }
}

/// Long-polls Nijmegen's alert feed from the start until `count` alerts were opened, or
/// the bounded number of polls runs out; returns the opened alerts' ids in feed order.
async fn opened_alerts(client: &reqwest::Client, address: &str, count: usize) -> Vec<String> {
    let nijmegen = token("gemeente:0268", "municipality");
    let mut opened = Vec::new();
    let mut after = String::new();
    for _ in 0..60 {
        let page: Value = client
            .get(format!("{address}/v1/alerts/feed?wait=2&limit=500{after}"))
            .bearer_auth(&nijmegen)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        for item in page["items"].as_array().expect("items") {
            if item["change"] == "alert_opened" {
                opened.push(item["alert"]["id"].as_str().expect("id").to_owned());
            }
        }
        after = format!("&after={}", page["next_cursor"].as_str().expect("cursor"));
        if opened.len() >= count {
            break;
        }
    }
    opened
}

fn scheduler_env(offset: i64, batch: u32, interval_ms: u32) -> Vec<(&'static str, String)> {
    vec![
        ("HERSTELBRUG_CLOCK_OFFSET_SECONDS", offset.to_string()),
        ("HERSTELBRUG_SCHEDULER_INTERVAL_MS", interval_ms.to_string()),
        ("HERSTELBRUG_SCHEDULER_BATCH", batch.to_string()),
        ("HERSTELBRUG_SCHEDULER_LEASE_SECONDS", "1".to_owned()),
    ]
}

#[tokio::test]
async fn sigkill_while_timers_are_due_fires_every_alert_exactly_once() {
    let db = TestDatabase::fresh().await;
    let client = reqwest::Client::new();
    let mut first = start_with(db.url(), &[("HERSTELBRUG_SCHEDULER", "off".to_owned())]);
    seed_unacknowledged(&client, &first.address, 20).await;
    first.child.kill().expect("killed");
    first.child.wait().expect("reaped");

    // Ten days later the timers are due. A slow scheduler (one timer per 100 ms) is killed
    // as soon as it has fired one: the rest are due, some claimed, none lost.
    let mut second = start_with(db.url(), &scheduler_env(TEN_DAYS, 1, 100));
    let fired = opened_alerts(&client, &second.address, 1).await;
    assert!(
        !fired.is_empty() && fired.len() < 20,
        "killed mid-way: {} fired",
        fired.len()
    );
    second.child.kill().expect("killed");
    second.child.wait().expect("reaped");

    let third = start_with(db.url(), &scheduler_env(TEN_DAYS, 5, 20));
    let opened = opened_alerts(&client, &third.address, 20).await;
    let distinct: std::collections::BTreeSet<&String> = opened.iter().collect();
    assert_eq!(opened.len(), 20, "every due alert fired: {opened:?}");
    assert_eq!(distinct.len(), 20, "none twice");
    let listed: Value = client
        .get(format!(
            "{}/v1/alerts?rule=referral_unacknowledged&limit=500",
            third.address
        ))
        .bearer_auth(token(PROVIDER_A, "provider"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(20));
}

#[tokio::test]
async fn two_servers_on_one_database_never_fire_a_timer_twice() {
    let db = TestDatabase::fresh().await;
    let client = reqwest::Client::new();
    let mut seeder = start_with(db.url(), &[("HERSTELBRUG_SCHEDULER", "off".to_owned())]);
    seed_unacknowledged(&client, &seeder.address, 30).await;
    seeder.child.kill().expect("killed");
    seeder.child.wait().expect("reaped");

    let a = start_with(db.url(), &scheduler_env(TEN_DAYS, 5, 20));
    let b = start_with(db.url(), &scheduler_env(TEN_DAYS, 5, 20));
    let opened = opened_alerts(&client, &a.address, 30).await;
    assert_eq!(opened.len(), 30, "every due alert fired");
    let distinct: std::collections::BTreeSet<&String> = opened.iter().collect();
    assert_eq!(distinct.len(), 30, "one alert per trajectory");
    // The other replica reads the same feed.
    assert_eq!(opened_alerts(&client, &b.address, 30).await, opened);
    // A timer fired twice evaluates its trajectory twice; the second evaluation finds the
    // alert already open and adds nothing, so only the firings themselves show it. Every
    // due timer (one per trajectory) is past now once fired, so both replicas together
    // fire exactly 30. Read after the feed settled, with no timer left due.
    let mut fired = 0;
    for _ in 0..100 {
        fired = fired_total(&client, &a.address).await + fired_total(&client, &b.address).await;
        if fired >= 30 {
            break;
        }
        // The counters move when a tick ends, just after its alerts reach the feed.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(fired, 30, "no timer fired twice across the replicas");
}

/// `herstelbrug_scheduler_timers_fired_total` of one server.
async fn fired_total(client: &reqwest::Client, address: &str) -> u64 {
    let text = client
        .get(format!("{address}/metrics"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|l| l.strip_prefix("herstelbrug_scheduler_timers_fired_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

#[tokio::test]
async fn webhooks_survive_a_failing_receiver_and_a_sigkilled_server() {
    let db = TestDatabase::fresh().await;
    let client = reqwest::Client::new();
    // The receiver is down: nobody listens on its port until after the crash.
    let port = crate::receiver::Receiver::free_port();
    let receiver_url = format!("http://127.0.0.1:{port}/hook");
    let env = |offset: i64| {
        vec![
            (
                "HERSTELBRUG_WEBHOOKS_ALLOW_HTTP_LOOPBACK",
                "true".to_owned(),
            ),
            ("HERSTELBRUG_DISPATCHER_INTERVAL_MS", "20".to_owned()),
            ("HERSTELBRUG_DISPATCHER_LEASE_SECONDS", "1".to_owned()),
            ("HERSTELBRUG_CLOCK_OFFSET_SECONDS", offset.to_string()),
        ]
    };
    let mut first = start_with(db.url(), &env(0));
    let t = token(PROVIDER_A, "provider");
    let subscribed = client
        .post(format!("{}/v1/webhook-subscriptions", first.address))
        .bearer_auth(&t)
        .json(&json!({"url": receiver_url, "event_types": ["alert.opened"]}))
        .send()
        .await
        .expect("sent");
    assert_eq!(subscribed.status(), 201);
    for n in 0..10 {
        let trajectory: Value = client
            .post(format!("{}/v1/trajectories", first.address))
            .bearer_auth(&t)
            .json(&json!({"client_ref": format!("client-{n}"), "municipality": "gemeente:0268", "started_on": "2026-01-05"}))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        let closed = client
            .post(format!(
                "{}/v1/trajectories/{}/transitions",
                first.address,
                trajectory["id"].as_str().expect("id")
            ))
            .bearer_auth(&t)
            .header("If-Match", "\"1\"")
            .json(&json!({"to": "closed", "reason": "client_choice"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(closed.status(), 200);
    }
    // Deliveries are failing against the dead receiver; kill the server in the middle of it.
    let subscription: Value = subscribed.json().await.expect("json");
    let deliveries = format!(
        "{}/v1/webhook-subscriptions/{}/deliveries",
        first.address,
        subscription["id"].as_str().expect("id")
    );
    let mut attempted = false;
    for _ in 0..200 {
        let page: Value = client
            .get(&deliveries)
            .bearer_auth(&t)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        if page["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
        {
            attempted = true;
            break;
        }
    }
    assert!(attempted, "deliveries were attempted and failed");
    first.child.kill().expect("killed");
    first.child.wait().expect("reaped");

    let receiver = crate::receiver::Receiver::start_on(port, &[]);
    assert_eq!(
        receiver.url, receiver_url,
        "the receiver came up where the subscription points"
    );
    // A day later every retry is due.
    let second = start_with(db.url(), &env(24 * 3600));
    let mut delivered = std::collections::BTreeSet::new();
    for _ in 0..100 {
        delivered = receiver
            .received()
            .into_iter()
            .filter(|r| r.status == 204)
            .map(|r| r.id)
            .collect();
        if delivered.len() >= 10 {
            break;
        }
        receiver
            .wait_for(
                receiver.received().len() + 1,
                std::time::Duration::from_millis(300),
            )
            .await;
    }
    let after: Value = client
        .get(deliveries.replace(&first.address, &second.address))
        .bearer_auth(&t)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(
        delivered.len(),
        10,
        "every event arrived at least once; attempts: {after}"
    );
}

/// A BSN that passes the 11-proef, used as a canary: it must never come back out.
const CANARY: &str = "111222333";
/// One that fails it: refused, and not repeated in the refusal either.
const BAD_CANARY: &str = "111222334";

#[tokio::test]
async fn a_bsn_never_appears_in_a_response_a_log_line_or_the_database() {
    let db = TestDatabase::fresh().await;
    let client = reqwest::Client::new();
    let server = start_with(db.url(), &[("RUST_LOG", "debug".to_owned())]);
    let t = token(PROVIDER_A, "provider");
    let mut bodies = Vec::new();
    let created = server
        .post(
            &client,
            &t,
            "/v1/trajectories",
            &json!({"client_ref": "client-bsn", "municipality": "gemeente:0268", "started_on": "2026-01-05", "bsn": CANARY}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created = created.text().await.expect("body");
    let id = serde_json::from_str::<Value>(&created).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    bodies.push(created);
    for body in [
        json!({"bsn": CANARY}),
        json!({"bsn": BAD_CANARY}),
        json!({"bsn": 111_222_333_u64}),
    ] {
        let found = server
            .post(&client, &t, "/v1/trajectories/search", &body)
            .await;
        bodies.push(format!(
            "{} {}",
            found.status(),
            found.text().await.expect("body")
        ));
    }
    assert!(
        bodies[1].starts_with("200") && bodies[1].contains(&id),
        "found by BSN: {}",
        bodies[1]
    );
    assert!(
        bodies[2].starts_with("422"),
        "an invalid BSN is refused: {}",
        bodies[2]
    );
    assert!(
        bodies[3].starts_with("400"),
        "a BSN as a number is refused: {}",
        bodies[3]
    );
    for bad in [
        json!({"client_ref": "client-x", "municipality": "gemeente:0268", "started_on": "2026-01-05", "bsn": BAD_CANARY}),
        json!({"client_ref": "client-y", "municipality": "gemeente:0268", "started_on": "2026-01-05", "bsn": 111_222_334_u64}),
    ] {
        let refused = server.post(&client, &t, "/v1/trajectories", &bad).await;
        bodies.push(format!(
            "{} {}",
            refused.status(),
            refused.text().await.expect("body")
        ));
    }
    for path in [
        format!("/v1/trajectories/{id}"),
        format!("/v1/trajectories/{id}/events"),
        "/v1/trajectories".to_owned(),
        "/v1/clients/client-bsn/access-log".to_owned(),
    ] {
        let read = client
            .get(format!("{}{path}", server.address))
            .bearer_auth(&t)
            .send()
            .await
            .expect("sent");
        bodies.push(read.text().await.expect("body"));
    }
    for body in &bodies {
        assert!(
            !body.contains(CANARY) && !body.contains(BAD_CANARY),
            "a response carries the BSN: {body}"
        );
    }
    let logs = server.logs.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(logs.len() > 10, "the server logged its requests");
    for line in &logs {
        assert!(
            !line.contains(CANARY) && !line.contains(BAD_CANARY),
            "a log line carries the BSN: {line}"
        );
    }
    // Stored only hashed and encrypted.
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    let row = conn
        .conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.backend(),
            "SELECT bsn_matcher, bsn_sealed FROM trajectories WHERE client_ref = 'client-bsn'"
                .to_owned(),
        ))
        .await
        .expect("query")
        .expect("row");
    let matcher: String = row.try_get("", "bsn_matcher").expect("matcher");
    let sealed: String = row.try_get("", "bsn_sealed").expect("sealed");
    assert_eq!(matcher.len(), 64);
    assert!(!matcher.contains(CANARY) && !sealed.contains(CANARY));
}
