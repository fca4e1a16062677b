//! The same write semantics on every state-changing operation: `Idempotency-Key` makes a
//! retry answer with the first response and change nothing more; versioned state (alerts,
//! consents) needs `If-Match` (428 without, 412 when stale).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, problem, token};

/// Sends the same keyed request twice; returns both answers (status, replayed, body).
async fn twice(build: impl Fn() -> reqwest::RequestBuilder) -> [(u16, bool, Value); 2] {
    let mut answers = Vec::new();
    for _ in 0..2 {
        let response = build().send().await.expect("sent");
        let status = response.status().as_u16();
        let replayed = response.headers().get("idempotent-replayed").is_some();
        let body = if status == 204 || status == 202 && response.content_length() == Some(0) {
            Value::Null
        } else {
            response.json().await.unwrap_or(Value::Null)
        };
        answers.push((status, replayed, body));
    }
    [answers[0].clone(), answers[1].clone()]
}

fn assert_replayed(answers: &[(u16, bool, Value); 2], status: u16, what: &str) {
    assert_eq!(answers[0].0, status, "{what}: first answer {answers:?}");
    assert!(!answers[0].1, "{what}: the first is not a replay");
    assert_eq!(answers[1].0, status, "{what}: the retry answers the same");
    assert!(
        answers[1].1,
        "{what}: the retry is marked Idempotent-Replayed"
    );
    assert_eq!(answers[0].2, answers[1].2, "{what}: the same body");
}

#[tokio::test]
async fn consents_and_withdrawals_honour_idempotency_key_and_if_match() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "client-keyed").await;
    let consents = format!("/v1/trajectories/{trajectory}/consents");
    let recorded = twice(|| {
        app.request(Method::POST, &consents, &provider)
            .header("Idempotency-Key", "consent-1")
            .json(&json!({"organisation": NIJMEGEN, "purpose": "Wmo-ondersteuning"}))
    })
    .await;
    assert_replayed(&recorded, 201, "consent");
    let listed: Value = app
        .get(&consents, &provider)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "one consent, not two"
    );
    let consent = recorded[0].2["id"].as_str().expect("id").to_owned();
    assert_eq!(recorded[0].2["version"], 1);

    let withdraw = format!("{consents}/{consent}/withdraw");
    let (status, body) = problem(app.post(&withdraw, &provider, &json!({})).await).await;
    assert_eq!(status, 428, "withdrawal changes versioned state: {body}");
    let (status, _) = problem(app.post_at(&withdraw, &provider, 2, &json!({})).await).await;
    assert_eq!(status, 412, "a stale version");
    let withdrawn = twice(|| {
        app.request(Method::POST, &withdraw, &provider)
            .header("If-Match", "\"1\"")
            .header("Idempotency-Key", "withdraw-1")
            .json(&json!({"reason": "Cliënt trekt toestemming in"}))
    })
    .await;
    assert_replayed(&withdrawn, 200, "withdrawal");
    assert_eq!(withdrawn[0].2["version"], 2);
    assert_eq!(withdrawn[0].2["status"], "withdrawn");
}

#[tokio::test]
async fn alert_changes_need_if_match_and_honour_idempotency_key() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "client-alerted").await;
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "closed", "reason": "client_choice"}),
    )
    .await;
    let alert = app.alerts(&provider, "?status=open").await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let read = app.get(&format!("/v1/alerts/{alert}"), &provider).await;
    assert_eq!(read.headers()["etag"], "\"1\"", "an alert carries its ETag");

    let acknowledge = format!("/v1/alerts/{alert}/acknowledge");
    let (status, _) = problem(app.post(&acknowledge, &provider, &json!({})).await).await;
    assert_eq!(status, 428);
    let (status, _) = problem(app.post_at(&acknowledge, &provider, 7, &json!({})).await).await;
    assert_eq!(status, 412);
    let acknowledged = twice(|| {
        app.request(Method::POST, &acknowledge, &provider)
            .header("If-Match", "\"1\"")
            .header("Idempotency-Key", "ack-1")
    })
    .await;
    assert_replayed(&acknowledged, 200, "acknowledge");
    assert_eq!(acknowledged[0].2["version"], 2);

    let resolve = format!("/v1/alerts/{alert}/resolve");
    let reason = json!({"reason": "Nazorg telefonisch geregeld"});
    let (status, _) = problem(app.post(&resolve, &provider, &reason).await).await;
    assert_eq!(status, 428);
    let resolved = twice(|| {
        app.request(Method::POST, &resolve, &provider)
            .header("If-Match", "\"2\"")
            .header("Idempotency-Key", "resolve-1")
            .json(&reason)
    })
    .await;
    assert_replayed(&resolved, 200, "resolve");
    assert_eq!(resolved[0].2["status"], "resolved");

    let report: Value = app
        .get("/v1/clients/client-alerted/access-log", &provider)
        .await
        .json()
        .await
        .expect("json");
    let events: Vec<&str> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    assert!(
        events.contains(&"POST /v1/alerts/{id}/acknowledge")
            && events.contains(&"POST /v1/alerts/{id}/resolve"),
        "alert changes are in the client's access report: {events:?}"
    );
}

#[tokio::test]
async fn webhook_subscription_changes_honour_idempotency_key() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let created = twice(|| {
        app.request(Method::POST, "/v1/webhook-subscriptions", &provider)
            .header("Idempotency-Key", "subscribe-1")
            .json(&json!({"url": "http://127.0.0.1:9/hook", "event_types": ["alert.opened"]}))
    })
    .await;
    assert_replayed(&created, 201, "subscribe");
    let listed: Value = app
        .get("/v1/webhook-subscriptions", &provider)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let id = created[0].2["id"].as_str().expect("id").to_owned();

    let rotated = twice(|| {
        app.request(
            Method::POST,
            &format!("/v1/webhook-subscriptions/{id}/rotate-secret"),
            &provider,
        )
        .header("Idempotency-Key", "rotate-1")
    })
    .await;
    assert_replayed(&rotated, 200, "rotate");
    assert_ne!(rotated[0].2["secret"], created[0].2["secret"]);

    let tested = twice(|| {
        app.request(
            Method::POST,
            &format!("/v1/webhook-subscriptions/{id}/test"),
            &provider,
        )
        .header("Idempotency-Key", "test-1")
    })
    .await;
    assert_replayed(&tested, 202, "test event");

    let deleted = twice(|| {
        app.request(
            Method::DELETE,
            &format!("/v1/webhook-subscriptions/{id}"),
            &provider,
        )
        .header("Idempotency-Key", "delete-1")
    })
    .await;
    assert_replayed(&deleted, 204, "delete");
}

#[tokio::test]
async fn one_open_trajectory_per_provider_holds_by_bsn_too() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let register = |client: &str| {
        app.request(Method::POST, "/v1/trajectories", &provider)
            .json(&json!({"client_ref": client, "municipality": NIJMEGEN,
                    "started_on": "2026-01-05", "bsn": "111222333"}))
            .send()
    };
    let first: Value = register("client-first")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let (status, body) = problem(register("client-second-ref").await.expect("sent")).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["type"],
        "https://herstelbrug.nl/problems/open-trajectory-exists"
    );
    assert!(
        !body.to_string().contains("111222333"),
        "the refusal does not repeat the BSN"
    );
    let id = first["id"].as_str().expect("id");
    app.transition_ok(
        &provider,
        id,
        1,
        &json!({"to": "closed", "reason": "moved"}),
    )
    .await;
    assert_eq!(
        register("client-second-ref").await.expect("sent").status(),
        201,
        "once closed, the same person may start again"
    );
}
