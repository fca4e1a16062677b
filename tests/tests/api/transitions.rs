//! Moving trajectories through the state machine over HTTP, with preconditions.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

#[tokio::test]
async fn a_full_path_is_recorded_as_history_with_actor_and_organisation() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let id = app.register_id(PROVIDER_A, "client-1").await;

    let steps = [
        json!({"to": "transition", "planned_end_on": "2027-01-15"}),
        json!({"to": "social_support", "reason": "planned_completion"}),
        json!({"to": "treatment", "reason": "relapse", "effective_on": chrono::Utc::now().date_naive()}),
        json!({"to": "social_support", "reason": "client_choice"}),
        json!({"to": "closed", "reason": "goals_achieved"}),
    ];
    for (n, step) in steps.iter().enumerate() {
        let version = n as u64 + 1;
        let response = app.transition(&t, &id, version, step).await;
        assert_eq!(response.status(), 200, "step {n}: {step}");
        assert_eq!(response.headers()["etag"], format!("\"{}\"", version + 1));
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["phase"], step["to"]);
        assert_eq!(body["version"], version + 1);
    }

    let history: Value = app
        .get(&format!("/v1/trajectories/{id}/events"), &t)
        .await
        .json()
        .await
        .expect("json");
    let items = history["items"].as_array().expect("items");
    let kinds: Vec<&str> = items.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "registered",
            "transition_started",
            "treatment_ended",
            "readmitted",
            "treatment_ended",
            "closed"
        ]
    );
    let sequences: Vec<u64> = items
        .iter()
        .filter_map(|e| e["sequence"].as_u64())
        .collect();
    assert_eq!(sequences, [1, 2, 3, 4, 5, 6]);
    assert_eq!(items[1]["planned_end_on"], "2027-01-15");
    assert_eq!(items[2]["reason"], "planned_completion");
    assert_eq!(items[3]["from"], "social_support");
    assert_eq!(items[5]["reason"], "goals_achieved");
    for event in items {
        assert_eq!(event["actor"]["subject"], "test-user");
        assert_eq!(event["actor"]["org"], PROVIDER_A);
    }
    let current: Value = app
        .get(&format!("/v1/trajectories/{id}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(current["allowed_transitions"], json!([]));
}

#[tokio::test]
async fn an_illegal_transition_is_409_listing_the_allowed_moves_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let id = app.register_id(PROVIDER_A, "client-1").await;
    assert_eq!(
        app.transition(&t, &id, 1, &json!({"to": "closed", "reason": "moved"}))
            .await
            .status(),
        200
    );

    let (status, body) = problem(
        app.transition(&t, &id, 2, &json!({"to": "treatment", "reason": "relapse"}))
            .await,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        body["type"],
        "https://herstelbrug.nl/problems/illegal-transition"
    );
    assert_eq!(body["allowed"], json!([]));

    let id2 = app.register_id(PROVIDER_A, "client-2").await;
    let (status, body) = problem(
        app.transition(&t, &id2, 1, &json!({"to": "treatment"}))
            .await,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        body["allowed"],
        json!(["transition", "social_support", "closed"])
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("transition, social_support, closed"))
    );

    let current: Value = app
        .get(&format!("/v1/trajectories/{id2}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(current["version"], 1);
    let history: Value = app
        .get(&format!("/v1/trajectories/{id2}/events"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(history["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn stale_if_match_is_412_and_missing_if_match_is_428() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let id = app.register_id(PROVIDER_A, "client-1").await;
    let body = json!({"to": "transition", "planned_end_on": "2027-01-15"});

    let missing = app
        .request(
            Method::POST,
            &format!("/v1/trajectories/{id}/transitions"),
            &t,
        )
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(missing).await.0, 428);

    assert_eq!(app.transition(&t, &id, 1, &body).await.status(), 200);
    let stale = app
        .transition(&t, &id, 1, &json!({"to": "closed", "reason": "moved"}))
        .await;
    assert_eq!(
        stale.headers()["etag"],
        "\"2\"",
        "412 tells the current version"
    );
    let (status, problem_body) = problem(stale).await;
    assert_eq!(status, 412);
    assert_eq!(
        problem_body["type"],
        "https://herstelbrug.nl/problems/precondition-failed"
    );

    let weak = app
        .request(
            Method::POST,
            &format!("/v1/trajectories/{id}/transitions"),
            &t,
        )
        .header("If-Match", "W/\"2\"")
        .json(&json!({"to": "closed", "reason": "moved"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        problem(weak).await.0,
        412,
        "a weak tag never matches for If-Match (RFC 9110 §13.1.1)"
    );
    let current: Value = app
        .get(&format!("/v1/trajectories/{id}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(current["phase"], "transition");
}

#[tokio::test]
async fn concurrent_writers_with_one_version_cannot_both_win() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let id = app.register_id(PROVIDER_A, "client-1").await;
    let (to_transition, to_closed) = (
        json!({"to": "transition", "planned_end_on": "2027-01-15"}),
        json!({"to": "closed", "reason": "moved"}),
    );
    let first = app.transition(&t, &id, 1, &to_transition);
    let second = app.transition(&t, &id, 1, &to_closed);
    let (a, b) = tokio::join!(first, second);
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);
    let history: Value = app
        .get(&format!("/v1/trajectories/{id}/events"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(history["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn another_organisation_cannot_move_a_trajectory() {
    let app = TestApp::spawn().await;
    let id = app.register_id(PROVIDER_A, "client-1").await;
    let body = json!({"to": "closed", "reason": "moved"});
    let (status, _) = problem(
        app.transition(&token(PROVIDER_B, "provider"), &id, 1, &body)
            .await,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = problem(
        app.transition(&token(NIJMEGEN, "municipality"), &id, 1, &body)
            .await,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = problem(
        app.transition(&token(NIJMEGEN, "provider"), &id, 1, &body)
            .await,
    )
    .await;
    assert_eq!(status, 403, "a provider scope needs an agb: organisation");
}

#[tokio::test]
async fn reasons_and_dates_that_break_the_rules_are_422() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let id = app.register_id(PROVIDER_A, "client-1").await;
    let cases = [
        json!({"to": "transition"}),
        json!({"to": "social_support"}),
        json!({"to": "social_support", "reason": "relapse"}),
        json!({"to": "social_support", "reason": "deceased"}),
        json!({"to": "closed", "reason": "moved", "effective_on": "2025-12-31"}),
        json!({"to": "closed", "reason": "moved", "effective_on": "2999-01-01"}),
        json!({"to": "transition", "planned_end_on": "2027-01-01", "reason": "dropout"}),
    ];
    for body in cases {
        let (status, problem_body) = problem(app.transition(&t, &id, 1, &body).await).await;
        assert_eq!(status, 422, "{body}");
        assert!(problem_body["detail"].is_string());
    }
    let (status, body) = problem(app.transition(&t, &id, 1, &json!({"to": "asleep"})).await).await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("treatment, transition, social_support, closed"))
    );
    let current: Value = app
        .get(&format!("/v1/trajectories/{id}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(current["version"], 1, "nothing changed");
}
