//! `GET /metrics`: Prometheus text without a token, request counts per route pattern (no
//! ids), scheduler lag, open alerts per rule, delivery failures; it can be turned off or
//! served on an address of its own.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::helpers::{PROVIDER_A, TestApp, token};

async fn scrape(app: &TestApp, base: &str) -> String {
    let response = app
        .client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain"),
    );
    response.text().await.expect("text")
}

/// The value of the series named exactly `series` (name and labels), if present.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_need_no_token_and_name_routes_not_ids() {
    let app = TestApp::spawn_with(|config| config.scheduler = "off".to_owned()).await;
    let provider = token(PROVIDER_A, "provider");
    let id = app.register_id(PROVIDER_A, "client-1").await;
    assert_eq!(
        app.get(&format!("/v1/trajectories/{id}"), &provider)
            .await
            .status(),
        200
    );
    // Into transition, ending in 20 days: the early warning falls due in 6.
    let planned = (Utc::now() + Duration::days(20)).date_naive();
    app.transition_ok(
        &provider,
        &id,
        1,
        &json!({"to": "transition", "planned_end_on": planned.to_string()}),
    )
    .await;
    let before = scrape(&app, &app.address).await;
    assert!(
        !before.contains(&id),
        "a trajectory id leaked into /metrics"
    );
    assert!(!before.contains("client-1"));
    assert_eq!(
        value(
            &before,
            r#"herstelbrug_http_requests_total{endpoint="/v1/trajectories/{id}",method="GET",status="200"}"#
        ),
        Some(1.0)
    );
    assert!(before.contains("herstelbrug_http_requests_duration_seconds_bucket"));
    assert!(value(&before, "herstelbrug_db_pool_max_connections").is_some());
    assert_eq!(
        value(&before, "herstelbrug_scheduler_due_timers"),
        Some(0.0)
    );
    assert_eq!(
        value(&before, "herstelbrug_scheduler_lag_seconds"),
        Some(0.0)
    );

    // Ten days on, with the scheduler off, the warning is four days overdue.
    app.clock.advance(Duration::days(10));
    let later = scrape(&app, &app.address).await;
    assert_eq!(value(&later, "herstelbrug_scheduler_due_timers"), Some(1.0));
    let lag = value(&later, "herstelbrug_scheduler_lag_seconds").expect("lag");
    assert!((3.0 * 86_400.0..5.0 * 86_400.0).contains(&lag), "lag {lag}");
}

#[tokio::test]
async fn open_alerts_are_counted_per_rule() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    for client in ["client-1", "client-2"] {
        let id = app.register_id(PROVIDER_A, client).await;
        app.transition_ok(
            &provider,
            &id,
            1,
            &json!({"to": "social_support", "reason": "planned_completion"}),
        )
        .await;
    }
    let text = scrape(&app, &app.address).await;
    assert_eq!(
        value(
            &text,
            r#"herstelbrug_alerts_open{rule="treatment_ended_without_followup"}"#
        ),
        Some(2.0),
        "{text}"
    );
}

#[tokio::test]
async fn failed_webhook_attempts_are_counted() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    // Nothing listens on the discard port: every attempt is refused.
    let subscribed = app
        .post(
            "/v1/webhook-subscriptions",
            &provider,
            &json!({"url": "http://127.0.0.1:9/hook", "event_types": ["alert.opened"]}),
        )
        .await;
    assert_eq!(subscribed.status(), 201);
    let id = subscribed.json::<serde_json::Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let queued = app
        .post(
            &format!("/v1/webhook-subscriptions/{id}/test"),
            &provider,
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(queued.status(), 202);
    // The dispatcher runs on its own schedule: wait for its first attempt to be recorded.
    let mut failures = 0.0;
    for _ in 0..200 {
        let text = scrape(&app, &app.address).await;
        failures = value(&text, "herstelbrug_webhook_delivery_failures_total").unwrap_or(0.0);
        if failures >= 1.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(failures >= 1.0, "no failed attempt counted");
}

#[tokio::test]
async fn metrics_can_be_turned_off_or_served_apart() {
    let off = TestApp::spawn_with(|config| config.metrics = "off".to_owned()).await;
    let response = off
        .client
        .get(off.url("/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 404);

    let apart = TestApp::spawn_with(|config| {
        config.metrics_listen = Some("127.0.0.1:0".to_owned());
    })
    .await;
    let on_api = apart
        .client
        .get(apart.url("/metrics"))
        .send()
        .await
        .expect("sent");
    assert_eq!(on_api.status(), 404, "not on the API's address");
    let port = apart.metrics_port.expect("a metrics port");
    let text = scrape(&apart, &format!("http://127.0.0.1:{port}")).await;
    assert!(text.contains("herstelbrug_scheduler_lag_seconds"));
}
