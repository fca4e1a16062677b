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
}

impl TestDatabase {
    pub async fn fresh() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("hb_test_{}", uuid::Uuid::new_v4().simple());
                herstelbrug_persistence::admin::create_database(&admin_url, &name)
                    .await
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unusable: {e}"));
                let url = herstelbrug_persistence::admin::database_url(&admin_url, &name);
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
            TestDatabase::Sqlite { url, .. } | TestDatabase::Postgres { url, .. } => url,
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
                runtime.block_on(herstelbrug_persistence::admin::drop_database(
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

pub fn test_config(database_url: &str) -> Config {
    Config {
        listen: "127.0.0.1:0".to_owned(),
        database_url: database_url.to_owned(),
        db_max_connections: 5,
        jwt_issuer: ISSUER.to_owned(),
        jwt_audience: AUDIENCE.to_owned(),
        jwt_secret: Some(SECRET.to_owned()),
        jwt_secret_file: None,
        jwks_file: None,
        wmo_assessment_days: 42,
        wmo_decision_days: 14,
        workers: Some(1),
        log_format: "text".to_owned(),
    }
}

pub struct TestApp {
    pub address: String,
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
        let mut config = test_config(db.url());
        adjust(&mut config);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let app = Application::build_with_clock(config, clock)
            .await
            .expect("application builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            _db: db,
        }
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
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("signs")
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
