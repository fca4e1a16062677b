//! Starting the real application on a random port against a fresh database (SQLite in a
//! temporary directory, or a new PostgreSQL database when TEST_DATABASE_URL is set, dropped
//! again when the test ends), and speaking HTTP to it.

use std::sync::Arc;

use chrono::Utc;
use herstelbrug_api::{Application, Clock, Config, SystemClock};
use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};

pub const ISSUER: &str = "herstelbrug-test";
pub const AUDIENCE: &str = "herstelbrug";
pub const SECRET: &str = "integration-test-secret-of-at-least-32-bytes";
pub const PROVIDER_A: &str = "agb:12345678";
pub const PROVIDER_B: &str = "agb:87654321";
pub const NIJMEGEN: &str = "gemeente:0268";
pub const AMSTERDAM: &str = "gemeente:0363";
/// The person issuer of test servers: its own issuer, audience and key.
pub const PERSON_ISSUER: &str = "https://digid-broker.test";
pub const PERSON_AUDIENCE: &str = "herstelbrug-mijn";
pub const PERSON_SECRET: &str = "integration-test-person-issuer-secret-32+";
/// Fictional test BSNs (999 99 ...) that pass the 11-proef.
pub const BSN_SANNE: &str = "999990019";
pub const BSN_KEES: &str = "999990032";
pub const BSN_ANNA: &str = "999990044";
pub const BSN_JAN: &str = "999990056";

/// A database that exists for one test and is removed when it ends.
pub enum TestDatabase {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
    /// Another handle on a database someone else drops.
    Borrowed { url: String },
}

impl TestDatabase {
    pub async fn fresh() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("hb_test_{}", uuid::Uuid::new_v4().simple());
                herstelbrug_persistence::db::admin::create_database(&admin_url, &name)
                    .await
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unusable: {e}"));
                let url = herstelbrug_persistence::db::admin::database_url(&admin_url, &name);
                TestDatabase::Postgres {
                    admin_url,
                    name,
                    url,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                TestDatabase::Sqlite { _dir: dir, url }
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. }
            | TestDatabase::Postgres { url, .. }
            | TestDatabase::Borrowed { url } => url,
        }
    }

    /// The same database for an app; the test's own handle stays the one that drops it.
    pub fn share(&self) -> TestDatabase {
        TestDatabase::Borrowed {
            url: self.url().to_owned(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres {
            admin_url, name, ..
        } = self
        {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime, which cannot be blocked on: use a thread
            // with a runtime of its own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(herstelbrug_persistence::db::admin::drop_database(
                    &admin_url, &name,
                ))
            })
            .join();
            if let Ok(Err(e)) = dropped {
                eprintln!("could not drop test database: {e}");
            }
        }
    }
}

/// The BSN secret of test servers (the figures' rounding key derives from it too).
pub const BSN_SECRET: &str = "integration-test-bsn-secret-of-32-bytes!!";

pub fn test_config(database_url: &str) -> Config {
    Config {
        listen: "127.0.0.1:0".to_owned(),
        database_url: database_url.to_owned(),
        database_password: None,
        db_max_connections: 5,
        db_acquire_timeout_ms: 1000,
        jwt_issuer: ISSUER.to_owned(),
        jwt_audience: AUDIENCE.to_owned(),
        jwt_secret: Some(SECRET.to_owned()),
        jwt_secret_file: None,
        jwks_file: None,
        wmo_assessment_days: 42,
        wmo_decision_days: 14,
        followup_after_closure_days: 90,
        early_warning_days: 14,
        acknowledge_working_days: 5,
        start_norm_days: 28,
        waiting_window_days: 61,
        norm_to_acceptance_days: 28,
        norm_to_start_days: 70,
        norm_total_days: 98,
        offer_expiry_working_days: 10,
        handoff_days: 7,
        outcome_check_first_days: 30,
        outcome_check_second_days: 90,
        outcome_check_overdue_days: 14,
        escalate_after_hours: 24,
        migrate_on_start: "on".to_owned(),
        metrics: "on".to_owned(),
        metrics_listen: None,
        scheduler: "on".to_owned(),
        scheduler_interval_ms: 50,
        access_log_seal_interval_ms: 1000,
        scheduler_batch: 100,
        scheduler_lease_seconds: 2,
        clock_offset_seconds: 0,
        dispatcher: "on".to_owned(),
        dispatcher_interval_ms: 20,
        dispatcher_batch: 50,
        dispatcher_lease_seconds: 5,
        webhook_timeout_seconds: 5,
        webhook_secret_overlap_hours: 24,
        // Off unless a test is about heartbeats: they would add requests to the others.
        webhook_heartbeat_seconds: 0,
        event_retention_days: 30,
        feed_retention_days: 30,
        housekeeping_interval_ms: 50,
        webhooks_allow_http_loopback: true,
        jwt_max_lifetime_seconds: 86_400,
        jwks_reload_seconds: 1,
        rate_limit_per_minute: 0,
        request_timeout_seconds: 60,
        bsn_secret: Some(BSN_SECRET.to_owned()),
        workers: Some(1),
        log_format: "text".to_owned(),
        public_url: None,
        person_issuer: Some(PERSON_ISSUER.to_owned()),
        person_audience: PERSON_AUDIENCE.to_owned(),
        person_jwt_secret: Some(PERSON_SECRET.to_owned()),
        person_jwks_file: None,
        person_authorize_url: None,
        person_token_url: None,
        person_client_id: "herstelbrug-mijn".to_owned(),
        person_min_acr: "substantial".to_owned(),
        audit_key_file: None,
        audit_key: None,
        audit_checkpoint_file: None,
        audit_checkpoint_url: None,
        audit_checkpoint_interval_seconds: 900,
        retention_closed_trajectory_days: 730,
        retention_idempotency_days: 7,
        retention_interval_seconds: 86_400,
        retention_batch: 500,
    }
}

/// The test's clock: the wall clock plus an offset the test moves forward, so deadlines
/// fall due without anyone sleeping.
#[derive(Debug, Default)]
pub struct ManualClock {
    offset: std::sync::Mutex<chrono::Duration>,
}

impl ManualClock {
    pub fn advance(&self, by: chrono::Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *offset += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        SystemClock.now() + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct TestApp {
    pub address: String,
    /// The separate `/metrics` listener's port, when the test configured one.
    pub metrics_port: Option<u16>,
    pub clock: Arc<ManualClock>,
    pub client: reqwest::Client,
    /// Dropped with the app: the test's database goes when the test ends.
    _db: TestDatabase,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the app after `adjust` changed its configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDatabase::fresh().await;
        Self::start(db, adjust).await
    }

    /// Starts the app on a database the test keeps (to inspect it afterwards).
    pub async fn spawn_on(db: &TestDatabase) -> TestApp {
        Self::start(db.share(), |_| {}).await
    }

    /// Starts the app on `db` (kept by the test) after `adjust` changed its configuration.
    pub async fn spawn_on_with(db: &TestDatabase, adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::start(db.share(), adjust).await
    }

    async fn start(db: TestDatabase, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = test_config(db.url());
        adjust(&mut config);
        let clock = Arc::new(ManualClock::default());
        let app = Application::build_with_clock(config, clock.clone())
            .await
            .expect("application builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let metrics_port = app.metrics_port();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            metrics_port,
            clock,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            _db: db,
        }
    }

    /// The URL of the app's database, for tests that run workers beside it.
    pub fn database_url(&self) -> &str {
        self._db.url()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, token)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// POSTs `body` with `If-Match` for `version` (alert and consent changes need it).
    pub async fn post_at(&self, path: &str, token: &str, version: u64, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .header("If-Match", format!("\"{version}\""))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// Registers a trajectory for `provider`'s client `client_ref`; returns its JSON.
    pub async fn register(&self, provider: &str, client_ref: &str) -> Value {
        let response = self
            .post(
                "/v1/trajectories",
                &token(provider, "provider"),
                &json!({"client_ref": client_ref, "municipality": NIJMEGEN, "started_on": "2026-01-05"}),
            )
            .await;
        assert_eq!(response.status(), 201, "registration failed");
        response.json().await.expect("json body")
    }

    /// Registers a trajectory (asserting 201) and returns its id.
    pub async fn register_id(&self, provider: &str, client_ref: &str) -> String {
        self.register(provider, client_ref).await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Sends a transition with `If-Match` for `version`.
    pub async fn transition(&self, token: &str, id: &str, version: u64, body: &Value) -> Response {
        self.request(
            Method::POST,
            &format!("/v1/trajectories/{id}/transitions"),
            token,
        )
        .header("If-Match", format!("\"{version}\""))
        .json(body)
        .send()
        .await
        .expect("request sent")
    }

    /// A transition that must succeed: asserts 200 and returns the trajectory it answered.
    pub async fn transition_ok(&self, token: &str, id: &str, version: u64, body: &Value) -> Value {
        let response = self.transition(token, id, version, body).await;
        let status = response.status().as_u16();
        let answer: Value = response.json().await.expect("json body");
        assert_eq!(status, 200, "transition {body} refused: {answer}");
        answer
    }
}

/// A valid HS256 token for `org` with `scope`.
pub fn token(org: &str, scope: &str) -> String {
    token_with(org, scope, |_| {})
}

/// A token whose claims `adjust` may change, signed with the test secret.
pub fn token_with(org: &str, scope: &str, adjust: impl FnOnce(&mut Value)) -> String {
    let now = Utc::now().timestamp();
    let mut claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "test-user", "exp": now + 600, "iat": now,
        "scope": scope, "org": org,
    });
    adjust(&mut claims);
    encode(
        &at_jwt(Header::default()),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("signs")
}

/// A person token for the holder of `bsn` from the test person issuer, at level
/// substantial; `adjust` may change its claims.
pub fn person_token_with(bsn: &str, adjust: impl FnOnce(&mut Value)) -> String {
    let now = Utc::now().timestamp();
    let mut claims = json!({
        "iss": PERSON_ISSUER, "aud": PERSON_AUDIENCE, "sub": format!("person-{bsn}"),
        "exp": now + 600, "iat": now, "acr": "http://eidas.europa.eu/LoA/substantial", "bsn": bsn,
    });
    adjust(&mut claims);
    encode(
        &at_jwt(Header::default()),
        &claims,
        &EncodingKey::from_secret(PERSON_SECRET.as_bytes()),
    )
    .expect("signs")
}

pub fn person_token(bsn: &str) -> String {
    person_token_with(bsn, |_| {})
}

/// RFC 9068 types access tokens `at+jwt`; the API refuses other types.
pub fn at_jwt(mut header: Header) -> Header {
    header.typ = Some("at+jwt".to_owned());
    header
}

pub async fn problem(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        content_type, "application/problem+json",
        "status {status} must be problem+json"
    );
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["status"], status, "problem status matches HTTP status");
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("https://herstelbrug.nl/problems/")),
        "problem type is a stable URI: {body}"
    );
    (status, body)
}

impl TestApp {
    /// Records consent on `trajectory` for `organisation`; returns the consent JSON.
    pub async fn consent(&self, provider: &str, trajectory: &str, organisation: &str) -> Value {
        let response = self
            .post(
                &format!("/v1/trajectories/{trajectory}/consents"),
                &token(provider, "provider"),
                &json!({"organisation": organisation, "purpose": "Aanmelding Wmo-ondersteuning"}),
            )
            .await;
        assert_eq!(response.status(), 201, "consent recorded");
        response.json().await.expect("json")
    }

    /// Withdraws consent `consent` (at its first version) on `trajectory`, as `token`.
    pub async fn withdraw(&self, token: &str, trajectory: &str, consent: &str) {
        let response = self
            .post_at(
                &format!("/v1/trajectories/{trajectory}/consents/{consent}/withdraw"),
                token,
                1,
                &json!({}),
            )
            .await;
        assert_eq!(response.status(), 200, "consent withdrawn");
    }

    /// Refers the client of `trajectory` to `recipient` for `kind`; returns the response.
    pub async fn refer(
        &self,
        provider: &str,
        trajectory: &str,
        kind: &str,
        recipient: &str,
    ) -> Response {
        self.post(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &token(provider, "provider"),
            &json!({
                "kind": kind,
                "recipient": recipient,
                "needs": "Zoekt woonruimte en hulp bij schulden",
                "requested_start_on": "2026-12-15",
                "client": {"name": "J. Jansen", "phone": "06-12345678", "email": "j.jansen@example.nl", "address": "Voorbeeldstraat 1, Nijmegen"},
                "referrer": {"name": "M. de Vries", "phone": "024-1234567"}
            }),
        )
        .await
    }

    /// A party's `action` on a referral at `version`, with an optional body.
    pub async fn act(
        &self,
        token: &str,
        referral: &str,
        action: &str,
        version: u64,
        body: Option<Value>,
    ) -> Response {
        let mut request = self
            .request(
                Method::POST,
                &format!("/v1/referrals/{referral}/{action}"),
                token,
            )
            .header("If-Match", format!("\"{version}\""));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }

    /// Reads a feed page (`inbox` or `outbox-feed`) after `after`.
    pub async fn feed(&self, feed: &str, token: &str, after: Option<&str>) -> Value {
        let path = match after {
            Some(cursor) => format!("/v1/referrals/{feed}?after={cursor}"),
            None => format!("/v1/referrals/{feed}"),
        };
        let response = self.get(&path, token).await;
        assert_eq!(response.status(), 200, "{feed} readable");
        response.json().await.expect("json")
    }
}

impl TestApp {
    /// Polls a feed (long-polling) until at least `expected` items arrived after `after`;
    /// returns them and the cursor after them. On PostgreSQL a committed change becomes
    /// readable once every older transaction in the cluster has ended, so a single read
    /// right after a write may not show it yet: clients keep polling, and so do tests.
    pub async fn feed_collect(
        &self,
        feed: &str,
        token: &str,
        after: Option<&str>,
        expected: usize,
    ) -> (Vec<Value>, String) {
        let mut items = Vec::new();
        let mut cursor = after.map(str::to_owned);
        for _ in 0..30 {
            let path = match &cursor {
                Some(c) => format!("/v1/referrals/{feed}?wait=2&after={c}"),
                None => format!("/v1/referrals/{feed}?wait=2"),
            };
            let response = self.get(&path, token).await;
            assert_eq!(response.status(), 200, "{feed} readable");
            let page: Value = response.json().await.expect("json");
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            if items.len() >= expected {
                break;
            }
        }
        assert_eq!(
            items.len(),
            expected,
            "{feed}: expected {expected} items, got {items:?}"
        );
        (items, cursor.unwrap_or_default())
    }
}

impl TestApp {
    /// Long-polls `token`'s alert feed until an alert with `rule` has the `change`; returns
    /// that feed item. Deadlines fire from the scheduler, so tests wait on the feed for them.
    pub async fn await_alert(&self, token: &str, rule: &str, change: &str) -> Value {
        let mut cursor: Option<String> = None;
        for _ in 0..40 {
            let path = match &cursor {
                Some(c) => format!("/v1/alerts/feed?wait=2&after={c}"),
                None => "/v1/alerts/feed?wait=2".to_owned(),
            };
            let response = self.get(&path, token).await;
            assert_eq!(response.status(), 200, "alert feed readable");
            let page: Value = response.json().await.expect("json");
            if let Some(item) = page["items"].as_array().and_then(|items| {
                items
                    .iter()
                    .find(|i| i["alert"]["rule"] == rule && i["change"] == change)
            }) {
                return item.clone();
            }
            cursor = page["next_cursor"].as_str().map(str::to_owned);
        }
        panic!("no {change} of {rule} in the alert feed");
    }

    /// Every item of `token`'s alert feed from its start, without waiting.
    pub async fn feed_collect_alerts(&self, token: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut path = "/v1/alerts/feed".to_owned();
        for _ in 0..50 {
            let response = self.get(&path, token).await;
            assert_eq!(response.status(), 200, "alert feed readable");
            let page: Value = response.json().await.expect("json");
            let got = page["items"].as_array().cloned().unwrap_or_default();
            if got.is_empty() {
                break;
            }
            items.extend(got);
            path = format!(
                "/v1/alerts/feed?after={}",
                page["next_cursor"].as_str().expect("cursor")
            );
        }
        items
    }

    /// The alerts `token` sees, with an optional query string.
    pub async fn alerts(&self, token: &str, query: &str) -> Vec<Value> {
        let response = self.get(&format!("/v1/alerts{query}"), token).await;
        assert_eq!(response.status(), 200, "alerts readable");
        let page: Value = response.json().await.expect("json");
        page["items"].as_array().cloned().unwrap_or_default()
    }
}
