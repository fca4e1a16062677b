//! The referral feeds: long-polling, 304 on nothing new, and no lost change under
//! concurrent writers.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::Value;

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, TestDatabase, problem, token};

const KINDS: [&str; 5] = [
    "housing",
    "income_and_debt",
    "work_and_daytime_activity",
    "peer_support",
    "wmo_support",
];

#[tokio::test]
async fn a_long_poll_is_woken_by_a_new_referral() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = app.register_id(PROVIDER_A, "client-1").await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let (_, cursor) = app.feed_collect("inbox", &nijmegen, None, 0).await;

    let poll = async {
        let started = Instant::now();
        let response = app
            .get(
                &format!("/v1/referrals/inbox?after={cursor}&wait=20"),
                &nijmegen,
            )
            .await;
        assert_eq!(response.status(), 200);
        (
            started.elapsed(),
            response.json::<Value>().await.expect("json"),
        )
    };
    let refer = async {
        tokio::task::yield_now().await;
        app.refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await
            .json::<Value>()
            .await
            .expect("json")
    };
    let ((elapsed, page), created) = tokio::join!(poll, refer);
    assert_eq!(page["items"][0]["referral"]["id"], created["id"]);
    // It answered when the referral arrived, not when the 20 s wait ran out.
    assert!(
        elapsed < Duration::from_secs(10),
        "long-poll took {elapsed:?}"
    );
}

#[tokio::test]
async fn an_empty_poll_with_the_last_etag_is_304() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let first = app.get("/v1/referrals/inbox", &nijmegen).await;
    let etag = first.headers()["etag"].to_str().expect("ascii").to_owned();
    let page: Value = first.json().await.expect("json");
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    assert_eq!(etag, format!("\"{cursor}\""));

    let unchanged = app
        .request(
            reqwest::Method::GET,
            &format!("/v1/referrals/inbox?after={cursor}"),
            &nijmegen,
        )
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(unchanged.status(), 304);

    let trajectory = app.register_id(PROVIDER_A, "client-1").await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    assert_eq!(
        app.refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await
            .status(),
        201
    );
    let changed = app
        .request(
            reqwest::Method::GET,
            &format!("/v1/referrals/inbox?after={cursor}&wait=10"),
            &nijmegen,
        )
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        changed.status(),
        200,
        "the new referral is not what the caller holds"
    );
    assert_ne!(changed.headers()["etag"].to_str().expect("ascii"), etag);
}

#[tokio::test]
async fn feed_parameters_are_checked() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    for query in ["?wait=31", "?limit=0", "?limit=501", "?cursor=1"] {
        let (status, _) = problem(
            app.get(&format!("/v1/referrals/inbox{query}"), &nijmegen)
                .await,
        )
        .await;
        assert_eq!(status, 400, "{query}");
    }
    // Well formed, but not a cursor this API issued.
    let (status, _) = problem(
        app.get("/v1/referrals/inbox?after=garbage", &nijmegen)
            .await,
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn ten_concurrent_writers_and_a_fast_poller_lose_no_change() {
    let app = TestApp::spawn_with(|c| c.db_max_connections = 12).await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let mut trajectories = Vec::new();
    for writer in 0..10 {
        let id = app
            .register_id(PROVIDER_A, &format!("client-{writer}"))
            .await;
        app.consent(PROVIDER_A, &id, NIJMEGEN).await;
        trajectories.push(id);
    }

    let done = AtomicBool::new(false);
    let writers = async {
        let created = join_all(trajectories.iter().map(|trajectory| async {
            let mut ids = Vec::new();
            for kind in KINDS {
                let response = app.refer(PROVIDER_A, trajectory, kind, NIJMEGEN).await;
                assert_eq!(response.status(), 201);
                ids.push(
                    response.json::<Value>().await.expect("json")["id"]
                        .as_str()
                        .expect("id")
                        .to_owned(),
                );
            }
            ids
        }))
        .await;
        done.store(true, Ordering::SeqCst);
        created.into_iter().flatten().collect::<BTreeSet<String>>()
    };
    let poller = async {
        let mut cursor: Option<String> = None;
        let mut seen = BTreeSet::new();
        let mut item_ids = HashSet::new();
        // Bounded: at most this many polls. While the writers run it polls as fast as it can;
        // after they finished it long-polls until it has them all, or gives up after ten
        // empty polls in a row.
        let mut empty_after_done = 0;
        for _ in 0..20_000 {
            let finished = done.load(Ordering::SeqCst);
            let wait = if finished { 2 } else { 0 };
            let path = match &cursor {
                Some(c) => format!("/v1/referrals/inbox?limit=3&wait={wait}&after={c}"),
                None => format!("/v1/referrals/inbox?limit=3&wait={wait}"),
            };
            let page: Value = app.get(&path, &nijmegen).await.json().await.expect("json");
            let items = page["items"].as_array().expect("items");
            for item in items {
                assert!(
                    item_ids.insert(item["id"].as_str().expect("id").to_owned()),
                    "an item appears once"
                );
                seen.insert(item["referral"]["id"].as_str().expect("id").to_owned());
            }
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            if finished && items.is_empty() {
                empty_after_done += 1;
            }
            if finished && (seen.len() >= 50 || empty_after_done >= 10) {
                break;
            }
        }
        seen
    };
    let (created, seen) = tokio::join!(writers, poller);
    assert_eq!(created.len(), 50);
    assert_eq!(seen, created, "every committed referral reached the poller");
}

#[tokio::test]
async fn a_long_poll_on_one_server_is_woken_by_a_referral_made_through_another() {
    let db = TestDatabase::fresh().await;
    let writer = TestApp::spawn_on(&db).await;
    let reader = TestApp::spawn_on(&db).await;
    let postgres = db.url().starts_with("postgres");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = writer.register_id(PROVIDER_A, "client-1").await;
    writer.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let (_, cursor) = reader.feed_collect("inbox", &nijmegen, None, 0).await;
    // On PostgreSQL the writing server announces every feed change after commit (NOTIFY);
    // listen as another server would.
    let mut listener = if postgres {
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect(db.url())
            .await
            .expect("listens");
        listener
            .listen(herstelbrug_persistence::feed::signal::CHANNEL)
            .await
            .expect("listens");
        Some(listener)
    } else {
        None
    };
    // A waiting long-poll re-reads at least every second, and on PostgreSQL also when
    // notified. SQLite has no cross-process signal (one process per database file is the
    // supported set-up); there the other server sees it at its next re-read.
    let wait = if postgres { 20 } else { 1 };
    let poll = async {
        let started = Instant::now();
        let response = reader
            .get(
                &format!("/v1/referrals/inbox?after={cursor}&wait={wait}"),
                &nijmegen,
            )
            .await;
        assert_eq!(response.status(), 200);
        (
            started.elapsed(),
            response.json::<Value>().await.expect("json"),
        )
    };
    let refer = async {
        tokio::task::yield_now().await;
        writer
            .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await
            .json::<Value>()
            .await
            .expect("json")
    };
    let ((elapsed, page), created) = tokio::join!(poll, refer);
    assert_eq!(page["items"][0]["referral"]["id"], created["id"]);
    if let Some(listener) = listener.as_mut() {
        assert!(
            elapsed < Duration::from_secs(10),
            "the other server's long-poll took {elapsed:?}"
        );
        // The referral's two feed entries: Nijmegen's inbox and the requester's outbox.
        let mut notified = std::collections::HashSet::new();
        while !(notified.contains(NIJMEGEN) && notified.contains(PROVIDER_A)) {
            let notification = tokio::time::timeout(Duration::from_secs(10), listener.recv())
                .await
                .expect("a notification within 10 s")
                .expect("received");
            notified.insert(notification.payload().to_owned());
        }
    }
}
