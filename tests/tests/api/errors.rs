//! Every error is RFC 9457 problem+json, whatever produced it.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, TestDatabase, problem, token};

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let (status, _) = problem(
        app.get("/v1/nothing-here", &token(PROVIDER_A, "provider"))
            .await,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = problem(app.client.get(app.url("/nope")).send().await.expect("sent")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn wrong_method_is_a_405_problem_with_allow() {
    let app = TestApp::spawn().await;
    let response = app
        .request(
            Method::DELETE,
            "/v1/trajectories",
            &token(PROVIDER_A, "provider"),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.headers()["allow"], "GET, POST");
    let (status, body) = problem(response).await;
    assert_eq!(status, 405);
    assert_eq!(
        body["type"],
        "https://herstelbrug.nl/problems/method-not-allowed"
    );
    // `search` is a route of its own, not a trajectory id: only POST is allowed there.
    for method in [Method::GET, Method::OPTIONS, Method::PUT] {
        let response = app
            .request(
                method.clone(),
                "/v1/trajectories/search",
                &token(PROVIDER_A, "provider"),
            )
            .send()
            .await
            .expect("sent");
        assert_eq!(response.headers()["allow"], "POST", "{method}");
        assert_eq!(problem(response).await.0, 405, "{method}");
    }
}

#[tokio::test]
async fn a_null_body_is_an_absent_body_where_the_body_is_optional() {
    let app = TestApp::spawn().await;
    let trajectory = app.register_id(PROVIDER_A, "client-1").await;
    let consent = app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let withdrawn = app
        .post_at(
            &format!("/v1/trajectories/{trajectory}/consents/{consent}/withdraw"),
            &token(PROVIDER_A, "provider"),
            1,
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(withdrawn.status(), 200);
}

#[tokio::test]
async fn malformed_bodies_are_400_415_or_413_problems_and_change_nothing() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let not_json = app
        .request(Method::POST, "/v1/trajectories", &t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(not_json).await.0, 400);

    let unknown_field = app
        .post(
            "/v1/trajectories",
            &t,
            &json!({"client_ref": "c1", "municipality": "gemeente:0268", "started_on": "2026-01-05", "diagnosis": "x"}),
        )
        .await;
    let (status, body) = problem(unknown_field).await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("unknown field `diagnosis`"))
    );

    let wrong_type = app
        .request(Method::POST, "/v1/trajectories", &t)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(wrong_type).await.0, 415);

    let huge = "x".repeat(70 * 1024);
    let too_large = app
        .post("/v1/trajectories", &t, &json!({"client_ref": huge, "municipality": "gemeente:0268", "started_on": "2026-01-05"}))
        .await;
    assert_eq!(problem(too_large).await.0, 413);

    let list: serde_json::Value = app
        .get("/v1/trajectories", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "nothing was created"
    );
}

#[tokio::test]
async fn bad_query_parameters_are_400_or_422_problems() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    for query in [
        "?limit=0",
        "?limit=501",
        "?phase=asleep",
        "?sort=name",
        "?municipality=0363",
    ] {
        let (status, _) = problem(app.get(&format!("/v1/trajectories{query}"), &t).await).await;
        assert_eq!(status, 400, "{query}");
    }
    // A cursor this API did not issue: the request is readable, the value breaks a rule.
    for query in ["?after=forged", "?after=not/a/cursor"] {
        let (status, _) = problem(app.get(&format!("/v1/trajectories{query}"), &t).await).await;
        assert_eq!(status, 422, "{query}");
    }
}

#[tokio::test]
async fn an_organisation_over_its_budget_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(|c| c.rate_limit_per_minute = 5).await;
    let mine = token(PROVIDER_A, "provider");
    for n in 0..5 {
        assert_eq!(
            app.get("/v1/trajectories", &mine).await.status(),
            200,
            "request {n} is within the budget"
        );
    }
    let over = app.get("/v1/trajectories", &mine).await;
    let retry_after: u64 = over.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after));
    let (status, body) = problem(over).await;
    assert_eq!(status, 429);
    assert_eq!(
        body["type"],
        "https://herstelbrug.nl/problems/too-many-requests"
    );
    // The budget is per organisation: another one is unaffected.
    assert_eq!(
        app.get("/v1/trajectories", &token("agb:87654321", "provider"))
            .await
            .status(),
        200
    );
}

/// The budget is counted per replica, as documented (README, "Limits"): a shared counter
/// would cost a write per request (BENCHMARKS.md). With N replicas behind a balancer an
/// organisation gets at most N times the per-replica budget.
#[tokio::test]
async fn the_budget_is_per_replica_as_documented() {
    let db = TestDatabase::fresh().await;
    let one = TestApp::spawn_on_with(&db, |c| c.rate_limit_per_minute = 3).await;
    let two = TestApp::spawn_on_with(&db, |c| c.rate_limit_per_minute = 3).await;
    let mine = token(PROVIDER_A, "provider");
    for replica in [&one, &two] {
        for _ in 0..3 {
            assert_eq!(replica.get("/v1/trajectories", &mine).await.status(), 200);
        }
    }
    for replica in [&one, &two] {
        assert_eq!(
            problem(replica.get("/v1/trajectories", &mine).await)
                .await
                .0,
            429,
            "each replica spends its own budget"
        );
    }
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_a_503_problem() {
    let app = TestApp::spawn_with(|c| c.request_timeout_seconds = 1).await;
    // A long-poll on an empty inbox outlasts the one-second limit.
    let response = app
        .get(
            "/v1/referrals/inbox?wait=5",
            &token("gemeente:0268", "municipality"),
        )
        .await;
    let (status, body) = problem(response).await;
    assert_eq!(status, 503);
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("longer than 1 s"))
    );
}
