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

/// Twenty identical requests with one key at once: every one answers as the first did.
async fn twins(build: impl Fn() -> reqwest::RequestBuilder) -> Vec<(u16, Value)> {
    futures::future::join_all((0..20).map(|_| async {
        let response = build().send().await.expect("sent");
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.expect("json"))
    }))
    .await
}

#[tokio::test]
async fn in_flight_twins_with_one_key_all_get_the_first_response() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let registered = twins(|| {
        app.request(Method::POST, "/v1/trajectories", &t)
            .header("Idempotency-Key", "register-twins")
            .json(&json!({"client_ref": "client-twins", "municipality": NIJMEGEN, "started_on": "2026-01-05"}))
    })
    .await;
    assert!(
        registered
            .iter()
            .all(|(s, b)| *s == 201 && *b == registered[0].1),
        "every registration twin got the first 201: {registered:?}"
    );
    let id = registered[0].1["id"].as_str().expect("id").to_owned();

    let moved = twins(|| {
        app.request(
            Method::POST,
            &format!("/v1/trajectories/{id}/transitions"),
            &t,
        )
        .header("If-Match", "\"1\"")
        .header("Idempotency-Key", "transition-twins")
        .json(&json!({"to": "closed", "reason": "dropout"}))
    })
    .await;
    assert!(
        moved.iter().all(|(s, b)| *s == 200 && *b == moved[0].1),
        "every transition twin got the first 200, none a 412: {moved:?}"
    );

    let other = app.register_id(PROVIDER_A, "client-twins-2").await;
    app.consent(PROVIDER_A, &other, NIJMEGEN).await;
    let referred = twins(|| {
        app.request(
            Method::POST,
            &format!("/v1/trajectories/{other}/referrals"),
            &t,
        )
        .header("Idempotency-Key", "referral-twins")
        .json(
            &json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "Woonruimte",
            "client": {"name": "J. Jansen"}}),
        )
    })
    .await;
    assert!(
        referred
            .iter()
            .all(|(s, b)| *s == 201 && *b == referred[0].1),
        "every referral twin got the first 201, none open-referral-exists: {referred:?}"
    );
    let events: Value = app
        .get(&format!("/v1/trajectories/{id}/events"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(events["items"].as_array().map(Vec::len), Some(2));
}
