//! Numbered notifications: every event a subscription gets carries its number there (no
//! gap, no repeat, also under concurrent writers); the status tells the last number and
//! how deliveries stand; a range is read again for catch-up within the retention and a
//! clear 410 beyond it; quiet subscriptions get heartbeats; feeds are pruned after their
//! retention and an expired cursor is refused instead of silently skipping changes.

use std::time::Duration as StdDuration;

use chrono::Duration;
use futures::future::join_all;
use serde_json::Value;

use crate::helpers::{NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, TestDatabase, problem, token};
use crate::receiver::Receiver;
use crate::webhooks::raise_alert;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

async fn subscribe(app: &TestApp, url: &str, events: &[&str]) -> String {
    id(&crate::webhooks::subscribe(app, url, events).await)
}

async fn events(app: &TestApp, subscription: &str, query: &str) -> Value {
    let response = app
        .get(
            &format!("/v1/webhook-subscriptions/{subscription}/events?{query}"),
            &token(PROVIDER_A, "provider"),
        )
        .await;
    assert_eq!(response.status(), 200, "events?{query}");
    response.json().await.expect("json")
}

fn numbers(page: &Value) -> Vec<u64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            assert_eq!(
                e["payload"]["event_number"], e["event_number"],
                "the body sent carries the number"
            );
            e["event_number"].as_u64().expect("number")
        })
        .collect()
}

async fn status(app: &TestApp, subscription: &str) -> Value {
    let response = app
        .get(
            &format!("/v1/webhook-subscriptions/{subscription}/status"),
            &token(PROVIDER_A, "provider"),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

/// Re-reads the status until `done` holds (the dispatcher records an attempt just after
/// the receiver answered); at most 200 reads.
async fn status_until(app: &TestApp, subscription: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let now = status(app, subscription).await;
        if done(&now) {
            return now;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    panic!("status never reached the expected state");
}

/// Waits until `n` events of the subscription are numbered (a pass runs moments after
/// commit, with the dispatcher or the housekeeping round).
async fn numbered(app: &TestApp, subscription: &str, n: u64) {
    status_until(app, subscription, |s| {
        s["events_since_subscription_start"].as_u64() >= Some(n)
    })
    .await;
}

#[tokio::test]
async fn numbers_have_no_gap_and_no_repeat_under_concurrent_writers_and_replicas() {
    // Two replicas on one database: writers on both, and four numbering passes racing
    // (each replica's dispatcher and housekeeping round).
    let db = TestDatabase::fresh().await;
    let one = TestApp::spawn_on(&db).await;
    let two = TestApp::spawn_on(&db).await;
    let first = subscribe(&one, "http://127.0.0.1:9/a", &["alert.opened"]).await;
    let second = subscribe(&two, "http://127.0.0.1:9/b", &["alert.opened"]).await;
    let writers = 24;
    join_all((0..writers).map(|n| {
        let app = if n % 2 == 0 { &one } else { &two };
        async move { raise_alert(app, &format!("concurrent-{n}")).await }
    }))
    .await;
    for subscription in [&first, &second] {
        numbered(&one, subscription, writers).await;
        let page = events(&two, subscription, "since=0&limit=500").await;
        assert_eq!(numbers(&page), (1..=writers).collect::<Vec<u64>>());
        assert_eq!(
            status(&one, subscription).await["events_since_subscription_start"],
            writers
        );
    }
}

#[tokio::test]
async fn a_receiver_catches_up_a_range_after_a_gap() {
    let app = TestApp::spawn_with(|c| c.dispatcher = "off".to_owned()).await;
    let subscription = subscribe(&app, "http://127.0.0.1:9/gap", &["alert.opened"]).await;
    for n in 0..5 {
        raise_alert(&app, &format!("gap-{n}")).await;
    }
    numbered(&app, &subscription, 5).await;
    assert_eq!(
        numbers(&events(&app, &subscription, "since=2&until=4").await),
        [3, 4]
    );
    let page = events(&app, &subscription, "since=0&limit=2").await;
    assert_eq!(numbers(&page), [1, 2]);
    assert_eq!(page["next_since"], 2);
    let rest = events(&app, &subscription, "since=2&limit=3").await;
    assert_eq!(numbers(&rest), [3, 4, 5]);
    assert!(rest["next_since"].is_null());
    assert!(numbers(&events(&app, &subscription, "since=5").await).is_empty());

    let a = token(PROVIDER_A, "provider");
    let path = format!("/v1/webhook-subscriptions/{subscription}/events");
    let (code, body) = problem(app.get(&format!("{path}?since=3&until=3"), &a).await).await;
    assert_eq!(code, 422);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("until")
    );
    let (code, _) = problem(app.get(&format!("{path}?since=0&limit=0"), &a).await).await;
    assert_eq!(code, 422);
    let (code, _) = problem(
        app.get(&format!("{path}?since=0"), &token(PROVIDER_B, "provider"))
            .await,
    )
    .await;
    assert_eq!(code, 404, "another organisation's subscription");
}

#[tokio::test]
async fn the_status_says_how_deliveries_stand() {
    let app = TestApp::spawn().await;
    // The receiver fails the first attempt, then takes everything.
    let receiver = Receiver::start(&[500]);
    let subscription = subscribe(&app, &receiver.url, &["alert.opened"]).await;
    let fresh = status(&app, &subscription).await;
    assert_eq!(fresh["events_since_subscription_start"], 0);
    assert_eq!(fresh["delivery_state"], "ok");

    raise_alert(&app, "status-1").await;
    assert!(receiver.wait_for(1, StdDuration::from_secs(10)).await);
    let failing = status_until(&app, &subscription, |s| s["delivery_state"] == "retrying").await;
    assert_eq!(failing["events_since_subscription_start"], 1);
    assert_eq!(failing["retrying"], 1);
    assert!(
        failing["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("500"),
        "{failing}"
    );
    assert!(failing["last_delivered_event_number"].is_null());

    // The first retry is due 5 s later; the test's clock gets there at once.
    app.clock.advance(Duration::seconds(10));
    assert!(receiver.wait_for(2, StdDuration::from_secs(10)).await);
    let delivered = status_until(&app, &subscription, |s| {
        s["last_delivered_event_number"] == 1
    })
    .await;
    assert_eq!(delivered["delivery_state"], "ok");
    assert_eq!(delivered["pending"], 0);
}

#[tokio::test]
async fn a_quiet_subscription_gets_heartbeats_carrying_the_last_number() {
    let app = TestApp::spawn_with(|c| c.webhook_heartbeat_seconds = 3600).await;
    let receiver = Receiver::start(&[]);
    let subscription = subscribe(&app, &receiver.url, &["alert.opened"]).await;
    raise_alert(&app, "heartbeat-1").await;
    assert!(receiver.wait_for(1, StdDuration::from_secs(10)).await);
    // An hour (the default period) and a bit without events.
    app.clock.advance(Duration::minutes(61));
    assert!(receiver.wait_for(2, StdDuration::from_secs(10)).await);
    let heartbeat: Value = serde_json::from_str(&receiver.received()[1].body).expect("json");
    assert_eq!(heartbeat["type"], "webhook.heartbeat");
    assert_eq!(heartbeat["subscription_id"], subscription.as_str());
    assert_eq!(heartbeat["events_since_subscription_start"], 1);
    assert!(
        heartbeat.get("event_number").is_none(),
        "heartbeats are not events"
    );
    // Heartbeats do not count: the next event is number 2.
    raise_alert(&app, "heartbeat-2").await;
    assert!(receiver.wait_for(3, StdDuration::from_secs(10)).await);
    let event: Value = serde_json::from_str(&receiver.received()[2].body).expect("json");
    assert_eq!(event["event_number"], 2);
}

#[tokio::test]
async fn events_older_than_the_retention_are_pruned_and_refused_with_a_clear_problem() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let receiver = Receiver::start(&[]);
    let subscription = subscribe(&app, &receiver.url, &["alert.opened"]).await;
    for n in 0..3 {
        raise_alert(&app, &format!("old-{n}")).await;
    }
    assert!(receiver.wait_for(3, StdDuration::from_secs(10)).await);
    status_until(&app, &subscription, |s| {
        s["last_delivered_event_number"] == 3
    })
    .await;

    app.clock.advance(Duration::days(31));
    raise_alert(&app, "new-4").await;
    numbered(&app, &subscription, 4).await;
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    let kept = || async {
        sea_orm::ConnectionTrait::query_one_raw(
            &conn.conn,
            sea_orm::Statement::from_string(
                sea_orm::ConnectionTrait::get_database_backend(&conn.conn),
                "SELECT COUNT(*) AS n FROM webhook_messages WHERE event_type = 'alert.opened'",
            ),
        )
        .await
        .expect("counted")
        .and_then(|row| row.try_get::<i64>("", "n").ok())
        .unwrap_or_default()
    };
    let mut pruned = false;
    for _ in 0..200 {
        if kept().await == 1 {
            pruned = true;
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    assert!(
        pruned,
        "the three delivered events older than 30 days are pruned"
    );

    let a = token(PROVIDER_A, "provider");
    let path = format!("/v1/webhook-subscriptions/{subscription}/events");
    let (code, body) = problem(app.get(&format!("{path}?since=0"), &a).await).await;
    assert_eq!(code, 410);
    assert_eq!(body["type"], "https://herstelbrug.nl/problems/expired");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("since") && detail.contains("since=3"),
        "{detail}"
    );
    assert_eq!(numbers(&events(&app, &subscription, "since=3").await), [4]);
}

#[tokio::test]
async fn an_expired_feed_cursor_is_refused_and_what_is_within_the_retention_stays() {
    let app = TestApp::spawn().await;
    let m = token(NIJMEGEN, "municipality");
    let refer = |client: &'static str| {
        let app = &app;
        async move {
            let trajectory = app.register_id(PROVIDER_A, client).await;
            app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
            let referred = app
                .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
                .await;
            assert_eq!(referred.status(), 201);
        }
    };
    refer("feed-old-1").await;
    let (_, early) = app.feed_collect("inbox", &m, None, 1).await;
    refer("feed-old-2").await;
    let (_, late) = app.feed_collect("inbox", &m, Some(&early), 1).await;

    app.clock.advance(Duration::days(31));
    refer("feed-new").await;
    // The housekeeping round prunes both old entries; the early cursor then missed one.
    let mut refused = None;
    for _ in 0..200 {
        let response = app
            .get(&format!("/v1/referrals/inbox?after={early}"), &m)
            .await;
        if response.status() == 410 {
            refused = Some(problem(response).await.1);
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    let refused = refused.expect("the early cursor is refused once its entries are pruned");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("after"),
        "{refused}"
    );
    // The reader that had read everything old just goes on; the new entry is kept.
    let (items, _) = app.feed_collect("inbox", &m, Some(&late), 1).await;
    assert_eq!(items.len(), 1);
    let (from_start, _) = app.feed_collect("inbox", &m, None, 1).await;
    assert_eq!(from_start.len(), 1, "only what is within the retention");
}

/// How many messages of `event_type` the outbox holds.
async fn messages(db: &TestDatabase, event_type: &str) -> i64 {
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    sea_orm::ConnectionTrait::query_one_raw(
        &conn.conn,
        sea_orm::Statement::from_string(
            sea_orm::ConnectionTrait::get_database_backend(&conn.conn),
            format!("SELECT COUNT(*) AS n FROM webhook_messages WHERE event_type = '{event_type}'"),
        ),
    )
    .await
    .expect("counted")
    .and_then(|row| row.try_get::<i64>("", "n").ok())
    .unwrap_or_default()
}

/// A receiver that is down: while an event waits, no heartbeat queues behind it (one per
/// quiet hour piled up before); once the event is dead the status says dead letters, also
/// while the one heartbeat then sent is being retried.
#[tokio::test]
async fn a_dead_endpoint_shows_dead_letters_and_collects_no_heartbeats() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on_with(&db, |c| c.webhook_heartbeat_seconds = 3600).await;
    let down = format!("http://127.0.0.1:{}/hook", Receiver::free_port());
    let subscription = subscribe(&app, &down, &["alert.opened"]).await;
    raise_alert(&app, "dead-1").await;
    status_until(&app, &subscription, |s| s["delivery_state"] == "retrying").await;
    for _ in 0..3 {
        app.clock.advance(Duration::minutes(61));
        status_until(&app, &subscription, |s| s["retrying"] == 1).await;
    }
    assert_eq!(
        messages(&db, "webhook.heartbeat").await,
        0,
        "none behind a waiting event"
    );
    // Every retry falls due in turn until the event is dead.
    let mut dead = Value::Null;
    for _ in 0..40 {
        app.clock.advance(Duration::hours(25));
        let now = status(&app, &subscription).await;
        if now["dead"] == 1 {
            dead = now;
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    assert_eq!(dead["delivery_state"], "dead_letters", "{dead}");
    // Nothing waits now: one heartbeat goes out, fails, and is retried; the state stays
    // dead letters, and no second heartbeat queues behind the first.
    app.clock.advance(Duration::minutes(61));
    let both = status_until(&app, &subscription, |s| s["retrying"] == 1).await;
    assert_eq!(both["delivery_state"], "dead_letters", "{both}");
    app.clock.advance(Duration::minutes(61));
    status_until(&app, &subscription, |s| s["retrying"] == 1).await;
    assert_eq!(messages(&db, "webhook.heartbeat").await, 1);
}

/// Pruning keeps each subscription's last delivery, so its status still says how far it
/// got (it turned null once every delivered message was older than the retention).
#[tokio::test]
async fn the_last_delivery_survives_pruning() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let receiver = Receiver::start(&[]);
    let subscription = subscribe(&app, &receiver.url, &["alert.opened"]).await;
    for n in 0..3 {
        raise_alert(&app, &format!("kept-{n}")).await;
    }
    assert!(receiver.wait_for(3, StdDuration::from_secs(10)).await);
    let before = status_until(&app, &subscription, |s| {
        s["last_delivered_event_number"] == 3
    })
    .await;
    app.clock.advance(Duration::days(31));
    let mut left = 3;
    for _ in 0..200 {
        left = messages(&db, "alert.opened").await;
        if left == 1 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    assert_eq!(
        left, 1,
        "the two older deliveries are pruned, the last one stays"
    );
    let after = status(&app, &subscription).await;
    assert_eq!(after["last_delivered_event_number"], 3, "{after}");
    assert_eq!(after["last_delivered_at"], before["last_delivered_at"]);
}
