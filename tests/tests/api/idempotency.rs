//! Idempotency-Key: a retried request returns the first response and changes nothing more.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

#[tokio::test]
async fn a_retried_transition_returns_the_stored_first_response() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let id = app.register_id(PROVIDER_A, "client-1").await;
    let send = || {
        app.request(
            Method::POST,
            &format!("/v1/trajectories/{id}/transitions"),
            &t,
        )
        .header("If-Match", "\"1\"")
        .header("Idempotency-Key", "\"retry-me-1\"")
        .json(&json!({"to": "closed", "reason": "dropout"}))
        .send()
    };
    let first = send().await.expect("sent");
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_body: Value = first.json().await.expect("json");

    let retry = send().await.expect("sent");
    assert_eq!(
        retry.status(),
        200,
        "the stale If-Match does not matter on a replay"
    );
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.headers()["etag"], "\"2\"");
    assert_eq!(retry.json::<Value>().await.expect("json"), first_body);

    let history: Value = app
        .get(&format!("/v1/trajectories/{id}/events"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        history["items"].as_array().map(Vec::len),
        Some(2),
        "applied once"
    );
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_refused() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let register = |client: &str| {
        app.request(Method::POST, "/v1/trajectories", &t)
            .header("Idempotency-Key", "key-42")
            .json(&json!({"client_ref": client, "municipality": NIJMEGEN, "started_on": "2026-01-05"}))
            .send()
    };
    let first = register("client-1").await.expect("sent");
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].clone();
    let again = register("client-1").await.expect("sent");
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["location"], location, "same trajectory");
    let (status, body) = problem(register("client-2").await.expect("sent")).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["type"],
        "https://herstelbrug.nl/problems/idempotency-key-reused"
    );

    let list: Value = app
        .get("/v1/trajectories", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));

    // Keys belong to the organisation: another provider's identical key is its own.
    let other = app
        .request(Method::POST, "/v1/trajectories", &token(PROVIDER_B, "provider"))
        .header("Idempotency-Key", "key-42")
        .json(&json!({"client_ref": "client-1", "municipality": NIJMEGEN, "started_on": "2026-01-05"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(other.status(), 201);
    assert_ne!(other.headers()["location"], location);
}

#[tokio::test]
async fn malformed_keys_are_400() {
    let app = TestApp::spawn().await;
    let response = app
        .request(
            Method::POST,
            "/v1/trajectories",
            &token(PROVIDER_A, "provider"),
        )
        .header("Idempotency-Key", "has space")
        .json(&json!({"client_ref": "c", "municipality": NIJMEGEN, "started_on": "2026-01-05"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(response).await.0, 400);
}
