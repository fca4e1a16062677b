//! After closure: outcome checks fall due after a closure with follow-up in place, their
//! timer lives in the database (a new server fires it), and a relapse re-enters as a new
//! trajectory linked to the closed one, flagged as a re-admission within 90 days.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, TestDatabase, problem, token};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// A trajectory of provider A closed today with an accepted referral to Nijmegen.
async fn closed_with_follow_up(app: &TestApp, client: &str) -> String {
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = app.register_id(PROVIDER_A, client).await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let rid = id(&app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));
    assert_eq!(
        app.act(&nijmegen, &rid, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let start = (chrono::Utc::now() + Duration::days(7))
        .date_naive()
        .to_string();
    assert_eq!(
        app.act(
            &nijmegen,
            &rid,
            "accept",
            2,
            Some(json!({"planned_start_on": start}))
        )
        .await
        .status(),
        200
    );
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "closed", "reason": "planned_completion"}),
    )
    .await;
    trajectory
}

#[tokio::test]
async fn outcome_checks_fall_due_and_their_timer_fires_on_a_server_started_later() {
    let db = TestDatabase::fresh().await;
    let provider = token(PROVIDER_A, "provider");
    // The first server runs no scheduler: whatever fires later must come from the database.
    let first = TestApp::spawn_on_with(&db, |c| c.scheduler = "off".to_owned()).await;
    let trajectory = closed_with_follow_up(&first, "check-client").await;
    let checks: Value = first
        .get(
            &format!("/v1/trajectories/{trajectory}/outcome-checks"),
            &provider,
        )
        .await
        .json()
        .await
        .expect("json");
    let today = chrono::Utc::now().date_naive();
    assert_eq!(checks["items"][0]["after_days"], 30);
    assert_eq!(
        checks["items"][0]["due_on"],
        (today + Duration::days(30)).to_string()
    );
    assert_eq!(
        checks["items"][1]["due_on"],
        (today + Duration::days(90)).to_string()
    );
    let (status, _) = problem(
        first
            .post(
                &format!("/v1/trajectories/{trajectory}/outcome-checks"),
                &provider,
                &json!({"after_days": 60, "outcome": "stable"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 422, "no 60-day check is owed");

    // Forty-five days later another server starts: the 30-day check is overdue.
    let later = TestApp::spawn_on(&db).await;
    later.clock.advance(Duration::days(45));
    let opened = later
        .await_alert(&provider, "outcome_check_overdue", "alert_opened")
        .await;
    assert_eq!(opened["alert"]["facts"]["after_days"], "30");
    let recorded = later
        .post(
            &format!("/v1/trajectories/{trajectory}/outcome-checks"),
            &provider,
            &json!({"after_days": 30, "outcome": "support_continuing"}),
        )
        .await;
    assert_eq!(recorded.status(), 201);
    let resolved = later
        .await_alert(&provider, "outcome_check_overdue", "alert_resolved")
        .await;
    assert_eq!(resolved["alert"]["resolution"]["cause"], "outcome_checked");
    let (status, _) = problem(
        later
            .post(
                &format!("/v1/trajectories/{trajectory}/outcome-checks"),
                &provider,
                &json!({"after_days": 30, "outcome": "stable"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 422, "recorded once");
}

#[tokio::test]
async fn a_relapse_re_enters_linked_to_the_closed_trajectory_as_a_readmission() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let closed = closed_with_follow_up(&app, "relapse-client").await;
    let open = app.register_id(PROVIDER_A, "still-open").await;
    let register = |previous: &str, client: &str| {
        json!({"client_ref": client, "municipality": NIJMEGEN,
               "started_on": chrono::Utc::now().date_naive().to_string(),
               "previous_trajectory": previous})
    };
    let (status, body) = problem(
        app.post("/v1/trajectories", &provider, &register(&open, "relapse-2"))
            .await,
    )
    .await;
    assert_eq!(status, 422, "only after a closed one: {body}");
    let (status, _) = problem(
        app.post(
            "/v1/trajectories",
            &token(PROVIDER_B, "provider"),
            &register(&closed, "relapse-b"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "another provider's trajectory is not its own");
    let reentered = app
        .post(
            "/v1/trajectories",
            &provider,
            &register(&closed, "relapse-client"),
        )
        .await;
    assert_eq!(reentered.status(), 201);
    let reentered: Value = reentered.json().await.expect("json");
    assert_eq!(reentered["previous_trajectory_id"], closed.as_str());
    assert_eq!(reentered["readmission"], true);
    let overview: Value = app
        .get(
            &format!("/v1/trajectories/{}/overview", id(&reentered)),
            &provider,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(overview["chain"][0]["id"], closed.as_str());
    assert_eq!(overview["chain"][0]["phase"], "closed");
}
