//! A database outage: with PostgreSQL out of reach every request answers 503 problem+json
//! with `Retry-After` within two seconds, readiness says 503 within one, and the same
//! process serves again once the database is back. The outage is a TCP proxy in front of
//! the real PostgreSQL that the test cuts and restores. (SQLite is a file inside the
//! process: it has no outage to simulate, so this test needs TEST_DATABASE_URL.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, TestDatabase, problem, token};

/// Forwards TCP connections to `upstream` until cut; while cut, every open connection is
/// closed and new ones are closed as soon as they arrive, or (stalled) held open without
/// an answer, as a network that drops packets does.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    stall: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let port = listener.local_addr().expect("address").port();
        let cut = Arc::new(AtomicBool::new(false));
        let stall = Arc::new(AtomicBool::new(false));
        let (generation, _) = watch::channel(0u64);
        let (flag, stalled, cuts) = (cut.clone(), stall.clone(), generation.clone());
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                if stalled.load(Ordering::SeqCst) {
                    held.push(inbound);
                    continue;
                }
                if flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let mut cut_signal = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut_signal.changed() => {}
                    }
                });
            }
        });
        Proxy {
            port,
            cut,
            stall,
            generation,
        }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// Cut, and new connections hang instead of closing.
    fn stall(&self) {
        self.stall.store(true, Ordering::SeqCst);
        self.cut();
    }

    fn restore(&self) {
        self.stall.store(false, Ordering::SeqCst);
        self.cut.store(false, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn with_the_database_out_of_reach_requests_fail_fast_with_503_and_recover() {
    let db = TestDatabase::fresh().await;
    let TestDatabase::Postgres { .. } = db else {
        eprintln!("outage test needs PostgreSQL (TEST_DATABASE_URL); SQLite has no outage");
        return;
    };
    let url = db.url().to_owned();
    let authority = url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("host:port in TEST_DATABASE_URL")
        .to_owned();
    let upstream = if authority.contains(':') {
        authority.clone()
    } else {
        format!("{authority}:5432")
    };
    let proxy = Proxy::start(upstream).await;
    let proxied = url.replacen(&authority, &format!("127.0.0.1:{}", proxy.port), 1);
    // Migrate through the real address first, then serve through the proxy.
    herstelbrug_persistence::connect(&url, 1)
        .await
        .expect("connects")
        .migrate()
        .await
        .expect("migrates");
    let app = TestApp::spawn_on_with(&db, |c| {
        c.database_url = proxied.clone();
        c.migrate_on_start = "off".to_owned();
    })
    .await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "client-outage").await;
    let path = format!("/v1/trajectories/{trajectory}");

    for stalled in [false, true] {
        if stalled {
            proxy.stall();
        } else {
            proxy.cut();
        }
        outage_answers(&app, &path, &provider).await;
        recovers(&app, &proxy, &path, &provider).await;
    }
    let during = app
        .get("/v1/trajectories?limit=50", &provider)
        .await
        .json::<serde_json::Value>()
        .await
        .expect("json");
    assert_eq!(
        during["items"].as_array().map(Vec::len),
        Some(1),
        "nothing registered during the outage"
    );
}

fn deadline(limit: u64) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_millis(limit))
        .build()
        .expect("client")
}

/// Every kind of request answers 503 within 2 s, readiness within 1 s.
async fn outage_answers(app: &TestApp, path: &str, provider: &str) {
    let within_two = deadline(2000);
    let ready = deadline(1000)
        .get(app.url("/health/ready"))
        .send()
        .await
        .expect("readiness answers within 1 s");
    assert_eq!(ready.status(), 503);
    let calls = [
        within_two.get(app.url(path)),
        within_two.get(app.url("/v1/referrals/inbox")),
        within_two.get(app.url("/v1/alerts")),
        within_two
            .post(app.url(&format!("{path}/transitions")))
            .header("If-Match", "\"1\"")
            .json(&json!({"to": "closed", "reason": "moved"})),
        within_two.post(app.url("/v1/trajectories")).json(&json!({
            "client_ref": "client-during-outage", "municipality": NIJMEGEN,
            "started_on": "2026-01-05"
        })),
    ];
    for call in calls {
        let response = call
            .bearer_auth(provider)
            .send()
            .await
            .expect("answered within 2 s");
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("2"),
            "503 says when to retry"
        );
        let (status, body) = problem(response).await;
        assert_eq!(status, 503, "{body}");
    }
}

/// Once the database is reachable again the same process serves again.
async fn recovers(app: &TestApp, proxy: &Proxy, path: &str, provider: &str) {
    proxy.restore();
    let mut ready = false;
    for _ in 0..50 {
        let answer = deadline(1000).get(app.url("/health/ready")).send().await;
        if answer.is_ok_and(|a| a.status() == 200) {
            ready = true;
            break;
        }
    }
    assert!(ready, "ready again once the database is back");
    let again = app.get(path, provider).await;
    assert_eq!(again.status(), 200, "the same process serves again");
    let trajectory: serde_json::Value = again.json().await.expect("json");
    assert_eq!(
        trajectory["phase"], "treatment",
        "the transition refused during the outage did not happen"
    );
}
