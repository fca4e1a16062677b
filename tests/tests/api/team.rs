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
        ["Regie", "Wijkteam"],
        "its contact and its own by name"
    );
    let nijmegen_team = seen(NIJMEGEN, "municipality", to_nijmegen.clone()).await;
    let relatives: Vec<&Value> = nijmegen_team["current"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|p| p["role"] == "relative")
        .collect();
    assert_eq!(relatives.len(), 1, "the naaste who names it: present");
    assert_eq!(relatives[0]["relation"], "zus");
    assert!(
        relatives[0]["name"].is_null() && relatives[0]["phone"].is_null(),
        "not who she is before the referral is accepted: {}",
        relatives[0]
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

/// Statements one overview read costs, counted on a connection of its own.
async fn overview_queries(
    db_url: &str,
    trajectory: &str,
) -> (usize, herstelbrug_persistence::Overview) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut db = herstelbrug_persistence::connect(db_url, 1)
        .await
        .expect("connects");
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    db.conn.set_metric_callback(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let store = herstelbrug_persistence::OverviewStore::new(db.conn.clone());
    let overview = store
        .trajectory(
            trajectory.parse().expect("id"),
            PROVIDER_A.parse().expect("agb"),
            chrono::Utc::now(),
        )
        .await
        .expect("overview");
    (count.load(Ordering::SeqCst), overview)
}

#[tokio::test]
async fn the_overview_shows_every_step_in_a_fixed_number_of_queries() {
    let db = crate::helpers::TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = app.register_id(PROVIDER_A, "overview-client").await;
    let consent = app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let rid = id(&app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));
    join(
        &app,
        &trajectory,
        json!({"role": "case_manager", "name": "Casemanager", "organisation": PROVIDER_A}),
    )
    .await;
    let (small, _) = overview_queries(db.url(), &trajectory).await;

    // A longer path: more referrals, people, a meeting, an ended treatment and its alert
    // acknowledged, a consent withdrawn.
    app.consent(PROVIDER_A, &trajectory, PROVIDER_B).await;
    for kind in [
        "peer_support",
        "income_and_debt",
        "work_and_daytime_activity",
    ] {
        assert_eq!(
            app.refer(PROVIDER_A, &trajectory, kind, PROVIDER_B)
                .await
                .status(),
            201
        );
    }
    for n in 0..3 {
        join(
            &app,
            &trajectory,
            json!({"role": "peer_expert", "name": format!("Peer {n}"), "organisation": PROVIDER_A}),
        )
        .await;
    }
    let planned = app
        .post(
            &format!("/v1/referrals/{rid}/warm-handoff/meetings"),
            &nijmegen,
            &json!({"planned_at": "2026-12-20T10:00:00Z"}),
        )
        .await;
    assert_eq!(planned.status(), 201);
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "social_support", "reason": "planned_completion"}),
    )
    .await;
    let alert = app.alerts(&provider, "?status=open").await[0].clone();
    let version = alert["version"].as_u64().expect("version");
    assert_eq!(
        app.post_at(
            &format!("/v1/alerts/{}/acknowledge", id(&alert)),
            &provider,
            version,
            &json!(null)
        )
        .await
        .status(),
        200
    );
    let withdrawn = app
        .post_at(
            &format!(
                "/v1/trajectories/{trajectory}/consents/{}/withdraw",
                id(&consent)
            ),
            &provider,
            1,
            &json!(null),
        )
        .await;
    assert_eq!(withdrawn.status(), 200);
    let (large, overview) = overview_queries(db.url(), &trajectory).await;
    assert!(small >= 10, "every statement is counted ({small})");
    assert!(
        small <= 13,
        "13 queries at most, as the README says ({small})"
    );
    assert_eq!(large, small, "no query per referral, person or step");
    assert_eq!(overview.referrals.len(), 4);

    let read: Value = app
        .get(
            &format!("/v1/trajectories/{trajectory}/overview"),
            &provider,
        )
        .await
        .json()
        .await
        .expect("json");
    let kinds: Vec<&str> = read["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    for expected in [
        "consent_given",
        "consent_withdrawn",
        "referral_requested",
        "participant_joined",
        "meeting_planned",
        "alert_opened",
        "alert_acknowledged",
        "referral_cancelled",
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected} missing from {kinds:?}"
        );
    }
    assert_eq!(read["team"].as_array().expect("team").len(), 4);
    // Every step a person took names them (joins and leaves were recorded without).
    for step in read["timeline"].as_array().expect("timeline") {
        if ["participant_joined", "participant_left", "meeting_planned"]
            .contains(&step["kind"].as_str().unwrap_or_default())
        {
            assert!(!step["by"].is_null(), "{step}");
        }
    }
    assert!(read["next_deadline"].is_string() || read["next_deadline"].is_null());

    // Nijmegen's own view of its referral: the steps on it and its contact, minimised.
    let theirs: Value = app
        .get(&format!("/v1/referrals/{rid}/overview"), &nijmegen)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        theirs["referral"]["status"], "cancelled",
        "consent withdrawn"
    );
    assert!(theirs["referral"].get("trajectory_id").is_none());
    assert_eq!(
        theirs["contacts"]
            .as_array()
            .expect("contacts")
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect::<Vec<_>>(),
        Vec::<&str>::new(),
        "consent withdrawn, the referral cancelled: not even its contact at the provider \
         (the disclosure table; before the withdrawal it saw the case manager only)"
    );
    assert_eq!(theirs["meetings"].as_array().expect("meetings").len(), 1);
}
