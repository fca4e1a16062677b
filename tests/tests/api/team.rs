//! Who is involved: the team around a client with who may see whom, naasten only with the
//! client's consent, and the warm handoff whose absence raises an alert in the last week
//! of treatment (on the injected clock) until a meeting is planned.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

async fn join(app: &TestApp, trajectory: &str, body: Value) -> Value {
    let response = app
        .post(
            &format!("/v1/trajectories/{trajectory}/participants"),
            &token(PROVIDER_A, "provider"),
            &body,
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "{body}");
    body
}

fn names(team: &Value, part: &str) -> Vec<String> {
    let mut names: Vec<String> = team[part]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn each_party_sees_its_part_of_the_team_and_a_naaste_only_when_named() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "team-client").await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    app.consent(PROVIDER_A, &trajectory, PROVIDER_B).await;
    join(&app, &trajectory, json!({"role": "treating_clinician", "name": "Regie", "organisation": PROVIDER_A, "phone": "024-1"})).await;
    let peer = join(
        &app,
        &trajectory,
        json!({"role": "peer_expert", "name": "Peer", "organisation": PROVIDER_A}),
    )
    .await;
    join(
        &app,
        &trajectory,
        json!({"role": "wmo_consultant", "name": "Wijkteam", "organisation": NIJMEGEN}),
    )
    .await;
    join(
        &app,
        &trajectory,
        json!({"role": "relative", "name": "Zus", "relation": "zus", "phone": "06-1",
                                   "consent": {"share_with": [NIJMEGEN]}}),
    )
    .await;
    join(
        &app,
        &trajectory,
        json!({"role": "relative", "name": "Broer", "relation": "broer",
                                   "consent": {}}),
    )
    .await;
    let (status, body) = problem(
        app.post(
            &format!("/v1/trajectories/{trajectory}/participants"),
            &provider,
            &json!({"role": "relative", "name": "Vriend", "relation": "vriend"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "a naaste needs the client's consent: {body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("consent")),
        "{body}"
    );

    let to_nijmegen = id(&app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));
    let to_b = id(&app
        .refer(PROVIDER_A, &trajectory, "peer_support", PROVIDER_B)
        .await
        .json::<Value>()
        .await
        .expect("json"));
    let seen = |org: &'static str, scope: &'static str, rid: String| {
        let app = &app;
        async move {
            let response = app
                .get(
                    &format!("/v1/referrals/{rid}/participants"),
                    &token(org, scope),
                )
                .await;
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.expect("json")
        }
    };
    let all = seen(PROVIDER_A, "provider", to_nijmegen.clone()).await;
    assert_eq!(
        names(&all, "current").len(),
        5,
        "the provider sees everyone"
    );
    assert_eq!(
        names(
            &seen(NIJMEGEN, "municipality", to_nijmegen.clone()).await,
            "current"
        ),
        ["Regie", "Wijkteam", "Zus"],
        "its contact, its own, the naaste who names it"
    );
    assert_eq!(
        names(&seen(PROVIDER_B, "provider", to_b).await, "current"),
        ["Regie"],
        "no naaste it is not named for, nobody of another organisation"
    );
    let stranger = app
        .get(
            &format!("/v1/referrals/{to_nijmegen}/participants"),
            &token(PROVIDER_B, "provider"),
        )
        .await;
    assert_eq!(stranger.status(), 404, "not a party of that referral");

    // The peer expert leaves: the team keeps its history.
    let left = app
        .post_at(
            &format!(
                "/v1/trajectories/{trajectory}/participants/{}/leave",
                id(&peer)
            ),
            &provider,
            1,
            &json!(null),
        )
        .await;
    assert_eq!(left.status(), 200);
    let team: Value = app
        .get(
            &format!("/v1/trajectories/{trajectory}/participants"),
            &provider,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(names(&team, "former"), ["Peer"]);
    assert_eq!(names(&team, "current").len(), 4);
}

async fn missing(app: &TestApp, token: &str) -> usize {
    app.alerts(token, "?status=open&rule=warm_handoff_missing")
        .await
        .len()
}

#[tokio::test]
async fn an_accepted_referral_without_a_warm_handoff_alerts_both_parties_in_the_last_week() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let today = chrono::Utc::now().date_naive();
    let registered = app
        .post(
            "/v1/trajectories",
            &provider,
            &json!({"client_ref": "handoff-client", "municipality": NIJMEGEN, "started_on": "2026-01-05",
                    "planned_end_on": (today + Duration::days(10)).to_string()}),
        )
        .await;
    assert_eq!(registered.status(), 201);
    let trajectory = id(&registered.json().await.expect("json"));
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
    let accepted = app
        .act(
            &nijmegen,
            &rid,
            "accept",
            2,
            Some(json!({"planned_start_on": (today + Duration::days(12)).to_string()})),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    assert_eq!(
        missing(&app, &provider).await,
        0,
        "ten days before the end: not yet"
    );

    // Four days later the end is six days away and nothing is planned.
    app.clock.advance(Duration::days(4));
    let opened = app
        .await_alert(&provider, "warm_handoff_missing", "alert_opened")
        .await;
    assert_eq!(opened["alert"]["referral_id"], rid.as_str());
    app.await_alert(&nijmegen, "warm_handoff_missing", "alert_opened")
        .await;

    // Nijmegen plans the meeting: the alert resolves itself.
    let planned = app
        .post(
            &format!("/v1/referrals/{rid}/warm-handoff/meetings"),
            &nijmegen,
            &json!({"planned_at": (chrono::Utc::now() + Duration::days(6)).to_rfc3339()}),
        )
        .await;
    assert_eq!(planned.status(), 201);
    let meeting: Value = planned.json().await.expect("json");
    assert_eq!(missing(&app, &provider).await, 0, "planned: resolved");
    let resolved = app
        .alerts(&provider, "?status=resolved&rule=warm_handoff_missing")
        .await;
    assert_eq!(resolved[0]["resolution"]["cause"], "meeting_planned");

    // It is not held: the alert comes back.
    let not_held = app
        .post_at(
            &format!(
                "/v1/referrals/{rid}/warm-handoff/meetings/{}/outcome",
                id(&meeting)
            ),
            &provider,
            1,
            &json!({"outcome": "not_held", "reason": "Cliënt verscheen niet"}),
        )
        .await;
    assert_eq!(not_held.status(), 200);
    assert_eq!(missing(&app, &provider).await, 1);
    let listed: Value = app
        .get(
            &format!("/v1/referrals/{rid}/warm-handoff/meetings"),
            &nijmegen,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"][0]["status"], "not_held");
}
