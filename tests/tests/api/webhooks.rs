//! Webhooks over real HTTP: signed deliveries, retries with one webhook-id, 410, SSRF
//! refusals, dead letters and replay, and nothing lost when the server is killed.

use std::time::Duration as StdDuration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{PROVIDER_A, TestApp, problem, token};
use crate::receiver::Receiver;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// Verifies a Standard Webhooks signature as a receiver would.
fn verify(secret: &str, received: &crate::receiver::Received) -> bool {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{}.{}.{}", received.id, received.timestamp, received.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    received.signature.split(' ').any(|s| s == expected)
}

pub(crate) async fn subscribe(app: &TestApp, url: &str, events: &[&str]) -> Value {
    let response = app
        .post(
            "/v1/webhook-subscriptions",
            &token(PROVIDER_A, "provider"),
            &json!({"url": url, "event_types": events}),
        )
        .await;
    assert_eq!(response.status(), 201, "subscribed");
    response.json().await.expect("json")
}

/// Ends a new trajectory's treatment without follow-up: one `alert.opened` for provider A.
pub(crate) async fn raise_alert(app: &TestApp, client: &str) {
    let trajectory = id(&app.register(PROVIDER_A, client).await);
    let ended = app
        .transition(
            &token(PROVIDER_A, "provider"),
            &trajectory,
            1,
            &json!({"to": "closed", "reason": "client_choice"}),
        )
        .await;
    assert_eq!(ended.status(), 200);
}

#[tokio::test]
async fn events_are_delivered_signed_and_thin() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(&[]);
    let subscription = subscribe(&app, &receiver.url, &["alert.opened"]).await;
    let secret = subscription["secret"]
        .as_str()
        .expect("secret shown once")
        .to_owned();
    assert!(secret.starts_with("whsec_"));
    let listed: Value = app
        .get("/v1/webhook-subscriptions", &token(PROVIDER_A, "provider"))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        listed["items"][0].get("secret").is_none(),
        "never shown again"
    );

    raise_alert(&app, "client-secret-name").await;
    assert!(
        receiver.wait_for(1, StdDuration::from_secs(10)).await,
        "delivered"
    );
    let delivery = &receiver.received()[0];
    assert!(delivery.id.starts_with("msg_"));
    assert!(verify(&secret, delivery), "the signature verifies");
    let body: Value = serde_json::from_str(&delivery.body).expect("json body");
    assert_eq!(body["type"], "alert.opened");
    assert_eq!(body["data"]["subject"], "alert");
    assert!(
        body["data"]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("/v1/alerts/"))
    );
    assert!(
        !delivery.body.contains("client-secret-name"),
        "no client data in the payload"
    );
}

#[tokio::test]
async fn a_receiver_failing_three_times_gets_four_attempts_with_one_webhook_id() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(&[500, 503, 500]);
    let subscription = subscribe(&app, &receiver.url, &["alert.opened"]).await;
    raise_alert(&app, "client-1").await;
    // Each retry is scheduled on the server's clock: move it on until all four came.
    for _ in 0..40 {
        if receiver.wait_for(4, StdDuration::from_millis(300)).await {
            break;
        }
        app.clock.advance(Duration::hours(2));
    }
    let received = receiver.received();
    assert_eq!(received.len(), 4, "three failures and the success");
    assert!(
        received.iter().all(|r| r.id == received[0].id),
        "the same webhook-id on every attempt"
    );
    // The receiver answers before the dispatcher records: read until all four are recorded.
    let path = format!("/v1/webhook-subscriptions/{}/deliveries", id(&subscription));
    let mut attempts = Value::Null;
    for _ in 0..100 {
        attempts = app
            .get(&path, &token(PROVIDER_A, "provider"))
            .await
            .json()
            .await
            .expect("json");
        if attempts["items"].as_array().map(Vec::len) == Some(4) {
            break;
        }
        receiver.wait_for(5, StdDuration::from_millis(50)).await;
    }
    let outcomes: Vec<&str> = attempts["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["outcome"].as_str())
        .collect();
    assert_eq!(
        outcomes,
        ["delivered", "retry", "retry", "retry"],
        "newest first"
    );
    assert_eq!(attempts["items"][1]["status_code"], 500);
}

#[tokio::test]
async fn a_410_disables_the_subscription() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(&[410]);
    let subscription = subscribe(&app, &receiver.url, &["alert.opened"]).await;
    raise_alert(&app, "client-1").await;
    assert!(receiver.wait_for(1, StdDuration::from_secs(10)).await);
    let provider = token(PROVIDER_A, "provider");
    let mut disabled = false;
    for _ in 0..50 {
        let listed: Value = app
            .get("/v1/webhook-subscriptions", &provider)
            .await
            .json()
            .await
            .expect("json");
        if listed["items"][0]["status"] == "disabled" {
            disabled = true;
            break;
        }
        receiver.wait_for(2, StdDuration::from_millis(100)).await;
    }
    assert!(disabled, "the subscription was disabled");
    let attempts: Value = app
        .get(
            &format!("/v1/webhook-subscriptions/{}/deliveries", id(&subscription)),
            &provider,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(attempts["items"][0]["outcome"], "disabled");
}

#[tokio::test]
async fn internal_and_plain_http_urls_are_refused() {
    let app = TestApp::spawn_with(|c| c.webhooks_allow_http_loopback = false).await;
    let provider = token(PROVIDER_A, "provider");
    for url in [
        "http://example.org/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "http://127.0.0.1:8080/hook",
        "https://10.0.0.8/hook",
        "https://192.168.1.1/hook",
        "https://172.20.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fd12::1]/hook",
        "https://user:pw@example.org/hook",
        "file:///etc/passwd",
    ] {
        let response = app
            .post(
                "/v1/webhook-subscriptions",
                &provider,
                &json!({"url": url, "event_types": ["alert.opened"]}),
            )
            .await;
        assert_eq!(problem(response).await.0, 422, "{url}");
    }
    let listed: Value = app
        .get("/v1/webhook-subscriptions", &provider)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"], json!([]));
    let unknown_type = app
        .post(
            "/v1/webhook-subscriptions",
            &provider,
            &json!({"url": "https://example.org/hook", "event_types": ["everything"]}),
        )
        .await;
    assert_eq!(problem(unknown_type).await.0, 400);
}

#[tokio::test]
async fn a_dead_letter_can_be_replayed_with_the_same_id() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(&[500; 11]);
    let subscription = subscribe(&app, &receiver.url, &["webhook.test"]).await;
    let provider = token(PROVIDER_A, "provider");
    let queued = app
        .post(
            &format!("/v1/webhook-subscriptions/{}/test", id(&subscription)),
            &provider,
            &json!({}),
        )
        .await;
    assert_eq!(queued.status(), 202);
    for _ in 0..80 {
        if receiver.wait_for(11, StdDuration::from_millis(200)).await {
            break;
        }
        app.clock.advance(Duration::days(1));
    }
    assert_eq!(
        receiver.received().len(),
        11,
        "every scheduled attempt was made"
    );
    let path = format!("/v1/webhook-subscriptions/{}/deliveries", id(&subscription));
    let mut dead = None;
    for _ in 0..50 {
        let attempts: Value = app.get(&path, &provider).await.json().await.expect("json");
        if attempts["items"][0]["message_status"] == "dead" {
            dead = Some(
                attempts["items"][0]["message_id"]
                    .as_str()
                    .expect("id")
                    .to_owned(),
            );
            break;
        }
        receiver.wait_for(12, StdDuration::from_millis(100)).await;
    }
    let dead = dead.expect("dead-lettered after the last attempt");
    let replay = app
        .post(
            &format!(
                "/v1/webhook-subscriptions/{}/deliveries/{dead}/replay",
                id(&subscription)
            ),
            &provider,
            &json!({}),
        )
        .await;
    assert_eq!(replay.status(), 202);
    assert!(
        receiver.wait_for(12, StdDuration::from_secs(10)).await,
        "sent again"
    );
    let received = receiver.received();
    assert_eq!(received[11].id, received[0].id, "with the same webhook-id");
    let again = app
        .post(
            &format!(
                "/v1/webhook-subscriptions/{}/deliveries/{dead}/replay",
                id(&subscription)
            ),
            &provider,
            &json!({}),
        )
        .await;
    assert_eq!(problem(again).await.0, 404, "only dead letters replay");
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_during_the_overlap() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(&[]);
    let provider = token(PROVIDER_A, "provider");
    let subscription = subscribe(&app, &receiver.url, &["webhook.test"]).await;
    let old = subscription["secret"].as_str().expect("secret").to_owned();
    let rotated: Value = app
        .post(
            &format!(
                "/v1/webhook-subscriptions/{}/rotate-secret",
                id(&subscription)
            ),
            &provider,
            &json!({}),
        )
        .await
        .json()
        .await
        .expect("json");
    let new = rotated["secret"].as_str().expect("secret").to_owned();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_valid_until"].is_string());
    app.post(
        &format!("/v1/webhook-subscriptions/{}/test", id(&subscription)),
        &provider,
        &json!({}),
    )
    .await;
    assert!(receiver.wait_for(1, StdDuration::from_secs(10)).await);
    let delivery = &receiver.received()[0];
    assert!(
        verify(&new, delivery) && verify(&old, delivery),
        "both secrets verify"
    );
    assert_eq!(delivery.signature.split(' ').count(), 2);

    let deleted = app
        .request(
            reqwest::Method::DELETE,
            &format!("/v1/webhook-subscriptions/{}", id(&subscription)),
            &provider,
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), 204);
    let other = app
        .get(
            "/v1/webhook-subscriptions",
            &token("agb:87654321", "provider"),
        )
        .await
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(other["items"], json!([]));
}

#[tokio::test]
async fn four_dispatchers_send_every_message_once() {
    use std::sync::Arc;

    use herstelbrug_api::delivery::dispatcher::Dispatcher;
    use herstelbrug_api::{Clock, SystemClock};
    use herstelbrug_persistence::WebhookStore;

    const MESSAGES: usize = 400;
    let app = TestApp::spawn_with(|c| c.dispatcher = "off".to_owned()).await;
    let receiver = Receiver::start(&[]);
    let subscription = subscribe(&app, &receiver.url, &["webhook.test"]).await;
    let provider = token(PROVIDER_A, "provider");
    for _ in 0..MESSAGES {
        let queued = app
            .post(
                &format!("/v1/webhook-subscriptions/{}/test", id(&subscription)),
                &provider,
                &json!({}),
            )
            .await;
        assert_eq!(queued.status(), 202);
    }
    assert!(
        receiver.received().is_empty(),
        "the app's own dispatcher is off"
    );

    // Four dispatchers with their own connections, racing for the same outbox.
    let db = herstelbrug_persistence::connect(app.database_url(), 8)
        .await
        .expect("connects");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    for _ in 0..4 {
        let dispatcher = Dispatcher::new(
            WebhookStore::new(db.conn.clone()),
            clock.clone(),
            StdDuration::from_secs(5),
            Duration::seconds(30),
            25,
            true,
        )
        .expect("client builds");
        dispatcher.spawn(StdDuration::from_millis(10));
    }
    assert!(
        receiver
            .wait_for(MESSAGES, StdDuration::from_secs(60))
            .await,
        "all delivered"
    );
    let received = receiver.received();
    let mut ids: Vec<&str> = received.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), MESSAGES, "every message once");
    assert_eq!(received.len(), MESSAGES, "none sent twice");
}

#[tokio::test]
async fn a_late_result_from_an_expired_lease_cannot_overwrite_the_new_claim() {
    use herstelbrug_persistence::{AttemptResult, Outcome, WebhookStore};

    let app = TestApp::spawn_with(|c| c.dispatcher = "off".to_owned()).await;
    let receiver = Receiver::start(&[]);
    let subscription = subscribe(&app, &receiver.url, &["webhook.test"]).await;
    let provider = token(PROVIDER_A, "provider");
    app.post(
        &format!("/v1/webhook-subscriptions/{}/test", id(&subscription)),
        &provider,
        &json!({}),
    )
    .await;

    let db = herstelbrug_persistence::connect(app.database_url(), 2)
        .await
        .expect("connects");
    let store = WebhookStore::new(db.conn.clone());
    let now = chrono::Utc::now();
    let (slow, fast) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let first = store
        .claim(now, Duration::seconds(10), 10, slow)
        .await
        .expect("claims");
    assert_eq!(first.len(), 1);
    assert!(
        store
            .claim(now, Duration::seconds(10), 10, fast)
            .await
            .expect("claims")
            .is_empty(),
        "leased"
    );
    // The first worker stalls past its lease; another claims the message and delivers it.
    let later = now + Duration::seconds(11);
    let second = store
        .claim(later, Duration::seconds(10), 10, fast)
        .await
        .expect("claims");
    assert_eq!(second.len(), 1, "the stale lease was rescued");
    assert!(
        store
            .record(
                &second[0],
                AttemptResult {
                    token: fast,
                    outcome: &Outcome::Delivered,
                    status_code: Some(204),
                    error: None,
                    duration_ms: 5,
                },
                later
            )
            .await
            .expect("records")
    );
    // The stalled worker's failure arrives late and is ignored.
    let late = store
        .record(
            &first[0],
            AttemptResult {
                token: slow,
                outcome: &Outcome::Retry { at: later },
                status_code: Some(500),
                error: Some("late".into()),
                duration_ms: 5,
            },
            later,
        )
        .await
        .expect("records");
    assert!(!late, "fenced off");
    let attempts: Value = app
        .get(
            &format!("/v1/webhook-subscriptions/{}/deliveries", id(&subscription)),
            &provider,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(attempts["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(attempts["items"][0]["message_status"], "delivered");
}
