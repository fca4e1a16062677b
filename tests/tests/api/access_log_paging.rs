//! The client's access log and the organisation's own log page back through everything,
//! beyond 500 entries, with a cursor: no entry twice, none left out.

use serde_json::Value;

use crate::helpers::{PROVIDER_A, PROVIDER_B, TestApp, token};

/// Every page of `path` (with `limit`), following `next_before` to the end.
async fn all_pages(app: &TestApp, path: &str, caller: &str, limit: u64) -> Vec<Vec<i64>> {
    let mut pages = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let cursor = before.map(|b| format!("&before={b}")).unwrap_or_default();
        let response = app
            .get(&format!("{path}?limit={limit}{cursor}"), caller)
            .await;
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.expect("json");
        let ids: Vec<i64> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["id"].as_i64().expect("id"))
            .collect();
        pages.push(ids);
        match page["next_before"].as_i64() {
            Some(next) => before = Some(next),
            None => return pages,
        }
    }
}

fn strictly_newest_first(pages: &[Vec<i64>]) -> Vec<i64> {
    let all: Vec<i64> = pages.iter().flatten().copied().collect();
    assert!(all.windows(2).all(|w| w[0] > w[1]), "{all:?}");
    all
}

#[tokio::test]
async fn the_clients_access_log_pages_beyond_500_entries() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "client-paged").await;
    let path = format!("/v1/trajectories/{trajectory}");
    for chunk in 0..11 {
        let reads = (0..50).map(|_| app.get(&path, &provider));
        for read in futures::future::join_all(reads).await {
            assert_eq!(read.status(), 200, "chunk {chunk}");
        }
    }
    // 1 registration + 550 reads, and each page read is logged too (after it answered).
    let pages = all_pages(&app, "/v1/clients/client-paged/access-log", &provider, 500).await;
    assert_eq!(
        pages.len(),
        2,
        "{:?}",
        pages.iter().map(Vec::len).collect::<Vec<_>>()
    );
    assert_eq!(pages[0].len(), 500);
    let all = strictly_newest_first(&pages);
    assert_eq!(all.len(), 551);

    let small = all_pages(&app, "/v1/clients/client-paged/access-log", &provider, 100).await;
    // The two reads of the first listing are newer and appear now too.
    assert_eq!(strictly_newest_first(&small).len(), 553);

    let refused = app
        .get("/v1/clients/client-paged/access-log?limit=501", &provider)
        .await;
    assert_eq!(refused.status(), 422);
    let refused = app
        .get("/v1/clients/client-paged/access-log?before=0", &provider)
        .await;
    assert_eq!(refused.status(), 422);
}

#[tokio::test]
async fn an_organisation_pages_through_its_own_log_and_sees_no_other() {
    let app = TestApp::spawn().await;
    let a = token(PROVIDER_A, "provider");
    let b = token(PROVIDER_B, "provider");
    let mine = app.register_id(PROVIDER_A, "client-a").await;
    let theirs = app.register_id(PROVIDER_B, "client-b").await;
    for _ in 0..4 {
        assert_eq!(
            app.get(&format!("/v1/trajectories/{mine}"), &a)
                .await
                .status(),
            200
        );
    }
    // Provider B's attempt at A's trajectory is B's entry, not A's.
    assert_eq!(
        app.get(&format!("/v1/trajectories/{mine}"), &b)
            .await
            .status(),
        404
    );

    let pages = all_pages(&app, "/v1/access-log", &a, 2).await;
    assert_eq!(pages.len(), 3);
    assert_eq!(strictly_newest_first(&pages).len(), 5);
    let page: Value = app
        .get("/v1/access-log?limit=500", &a)
        .await
        .json()
        .await
        .expect("json");
    let items = page["items"].as_array().expect("items");
    assert!(items.iter().all(|e| e["org"] == PROVIDER_A), "{items:?}");
    assert!(
        !items
            .iter()
            .any(|e| e["trajectory_id"].as_str() == Some(theirs.as_str())),
        "{items:?}"
    );

    let admin: Value = app
        .get("/v1/access-log?limit=500", &token("agb:00000001", "admin"))
        .await
        .json()
        .await
        .expect("json");
    let orgs: Vec<&str> = admin["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["org"].as_str())
        .collect();
    assert!(
        orgs.contains(&PROVIDER_A) && orgs.contains(&PROVIDER_B),
        "{orgs:?}"
    );
}
