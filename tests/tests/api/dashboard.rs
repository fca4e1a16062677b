//! The dashboard page is served from the binary under a self-only policy; its development
//! login works on the embedded default with the generated secret and nowhere else; the
//! demo refuses a database that already holds trajectories.

use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, TestDatabase, test_config};

#[tokio::test]
async fn the_page_and_its_assets_come_from_the_server_itself() {
    let app = TestApp::spawn().await;
    for (path, kind) in [
        ("/dashboard", "text/html"),
        ("/dashboard/app.js", "text/javascript"),
        ("/dashboard/style.css", "text/css"),
    ] {
        let response = app.client.get(app.url(path)).send().await.expect("sent");
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with(kind)
        );
        let policy = headers["content-security-policy"]
            .to_str()
            .unwrap_or_default();
        assert!(policy.contains("script-src 'self'") && policy.contains("connect-src 'self'"));
        let body = response.text().await.expect("body");
        assert!(!body.contains("https://"), "{path} refers to another host");
    }
}

#[tokio::test]
async fn the_development_login_is_offered_only_on_the_embedded_default_without_configured_secrets()
{
    // With a configured secret (as in production) there is no development login.
    let app = TestApp::spawn().await;
    let offered = app
        .client
        .get(app.url("/dashboard/dev-login"))
        .send()
        .await
        .expect("sent");
    assert_eq!(offered.status(), 404);
    if !app.database_url().starts_with("sqlite") {
        // PostgreSQL is the production database: the server does not start without
        // configured secrets, so it never has a development secret to sign with.
        return;
    }

    let secret_dir = std::env::temp_dir().join(format!("hb-dev-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&secret_dir).expect("temp dir");
    let app = TestApp::spawn_with(|c| {
        c.jwt_secret = None;
        c.jwt_secret_file = Some(secret_dir.join("secret"));
    })
    .await;
    let login = app
        .client
        .post(app.url("/dashboard/dev-login"))
        .json(&json!({"org": NIJMEGEN}))
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), 200);
    let token: Value = login.json().await.expect("json");
    let token = token["token"].as_str().expect("token");
    let figures = app.get("/v1/figures/continuity", token).await;
    assert_eq!(figures.status(), 200);
    let body: Value = figures.json().await.expect("json");
    assert_eq!(body["scope"], NIJMEGEN);
    // A dashboard token reads figures, never trajectories.
    assert_eq!(app.get("/v1/trajectories", token).await.status(), 403);
    let refused = app
        .client
        .post(app.url("/dashboard/dev-login"))
        .json(&json!({"org": "informeel:000001"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 422);
    let _ = std::fs::remove_dir_all(secret_dir);
}

#[tokio::test]
async fn the_demo_refuses_a_database_that_holds_trajectories() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    app.register_id(PROVIDER_A, "echte-client").await;
    let refused = herstelbrug_api::demo::run(test_config(db.url()), false).await;
    let message = refused.err().expect("refused");
    assert!(
        message.contains("already holds 1 trajectories"),
        "{message}"
    );
}
