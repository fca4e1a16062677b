//! The continuity engine over HTTP: every rule's alert appears, does not duplicate,
//! resolves when its condition clears, and does not appear when follow-up is in place.
//! Time moves by the test's clock; the scheduler fires the deadlines.

use std::time::{Duration as StdDuration, Instant};

use chrono::{Days, Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{AMSTERDAM, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

fn rules(alerts: &[Value]) -> Vec<String> {
    let mut rules: Vec<String> = alerts
        .iter()
        .filter_map(|a| a["rule"].as_str().map(str::to_owned))
        .collect();
    rules.sort();
    rules
}

/// A trajectory of provider A with consent for Nijmegen and an accepted housing referral.
async fn with_accepted_referral(app: &TestApp, client: &str) -> (String, String) {
    let trajectory = id(&app.register(PROVIDER_A, client).await);
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let referral = id(&app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));
    let nijmegen = token(NIJMEGEN, "municipality");
    assert_eq!(
        app.act(&nijmegen, &referral, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let start = app.clock.now_date() + Days::new(7);
    let accepted = app
        .act(
            &nijmegen,
            &referral,
            "accept",
            2,
            Some(json!({"planned_start_on": start})),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    (trajectory, referral)
}

trait ClockDate {
    fn now_date(&self) -> chrono::NaiveDate;
}

impl ClockDate for crate::helpers::ManualClock {
    fn now_date(&self) -> chrono::NaiveDate {
        herstelbrug_api::Clock::now(self).date_naive()
    }
}

#[tokio::test]
async fn ending_treatment_without_followup_alerts_at_once_and_clears_when_followup_is_accepted() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    let empty = app
        .get("/v1/alerts/feed", &provider)
        .await
        .json::<Value>()
        .await
        .expect("json");
    let cursor = empty["next_cursor"].as_str().expect("cursor").to_owned();

    let poll = async {
        let started = Instant::now();
        let page: Value = app
            .get(
                &format!("/v1/alerts/feed?wait=20&after={cursor}"),
                &provider,
            )
            .await
            .json()
            .await
            .expect("json");
        (started.elapsed(), page)
    };
    let end = async {
        tokio::task::yield_now().await;
        app.transition(
            &provider,
            &trajectory,
            1,
            &json!({"to": "social_support", "reason": "planned_completion"}),
        )
        .await
    };
    let ((elapsed, page), ended) = tokio::join!(poll, end);
    assert_eq!(ended.status(), 200);
    let item = &page["items"][0];
    assert_eq!(item["change"], "alert_opened");
    assert_eq!(item["alert"]["rule"], "treatment_ended_without_followup");
    assert_eq!(item["alert"]["severity"], "critical");
    assert_eq!(item["alert"]["facts"]["end_reason"], "planned_completion");
    assert!(
        elapsed < StdDuration::from_secs(10),
        "the long-poll woke at the change ({elapsed:?})"
    );

    // Further changes do not duplicate it.
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let referral = id(&app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));
    let open = app.alerts(&provider, "?status=open").await;
    assert_eq!(rules(&open), ["treatment_ended_without_followup"]);

    // Follow-up accepted: the alert resolves by itself, naming the change.
    assert_eq!(
        app.act(&nijmegen, &referral, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let start = Utc::now().date_naive() + Days::new(7);
    assert_eq!(
        app.act(
            &nijmegen,
            &referral,
            "accept",
            2,
            Some(json!({"planned_start_on": start}))
        )
        .await
        .status(),
        200
    );
    let resolved = app
        .alerts(
            &provider,
            "?status=resolved&rule=treatment_ended_without_followup",
        )
        .await;
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0]["resolution"]["kind"], "cleared");
    assert_eq!(resolved[0]["resolution"]["cause"], "referral_accepted");
    assert!(app.alerts(&provider, "?status=open").await.is_empty());
    // The client's consent names Nijmegen, its municipality: Nijmegen saw the gap alert
    // too, minimised (when and where, never why treatment ended).
    let shared = app.alerts(&nijmegen, "").await;
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert_eq!(shared[0]["informs_municipality"], true);
    assert!(
        shared[0]["facts"].get("end_reason").is_none(),
        "{}",
        shared[0]
    );
    // Reading it again with its ETag: 304 while unchanged, the alert once it changed.
    let path = format!("/v1/alerts/{}", id(&resolved[0]));
    let read = app.get(&path, &provider).await;
    let tag = read.headers()["etag"].to_str().expect("etag").to_owned();
    let again = app
        .request(reqwest::Method::GET, &path, &provider)
        .header("If-None-Match", &tag)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), 304);
    let stale = app
        .request(reqwest::Method::GET, &path, &provider)
        .header("If-None-Match", "\"1\"")
        .send()
        .await
        .expect("sent");
    assert_eq!(stale.status(), 200, "{tag} is not \"1\"");
}

#[tokio::test]
async fn no_alert_when_followup_is_in_place_not_needed_or_the_client_died() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let (arranged, _) = with_accepted_referral(&app, "client-1").await;
    let ended = app
        .transition(
            &provider,
            &arranged,
            1,
            &json!({"to": "social_support", "reason": "planned_completion"}),
        )
        .await;
    assert_eq!(ended.status(), 200);

    let not_needed = id(&app.register(PROVIDER_A, "client-2").await);
    let body = json!({"to": "closed", "reason": "client_choice", "no_follow_up_reason": "Eigen netwerk vangt op; geen ondersteuning gewenst"});
    let closed = app.transition(&provider, &not_needed, 1, &body).await;
    assert_eq!(closed.status(), 200);
    assert_eq!(
        closed.json::<Value>().await.expect("json")["no_follow_up_reason"],
        "Eigen netwerk vangt op; geen ondersteuning gewenst"
    );

    let deceased = id(&app.register(PROVIDER_A, "client-3").await);
    app.transition_ok(
        &provider,
        &deceased,
        1,
        &json!({"to": "closed", "reason": "deceased"}),
    )
    .await;

    assert!(
        app.alerts(&provider, "").await.is_empty(),
        "no alert at all"
    );
    let misplaced = app.transition(&provider, &id(&app.register(PROVIDER_A, "client-4").await), 1,
        &json!({"to": "transition", "planned_end_on": "2027-06-01", "no_follow_up_reason": "x"})).await;
    assert_eq!(
        problem(misplaced).await.0,
        422,
        "no_follow_up_reason only when treatment ends"
    );
}

#[tokio::test]
async fn dropout_without_outreach_resolves_when_aftercare_is_referred() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "social_support", "reason": "dropout"}),
    )
    .await;
    assert_eq!(
        rules(&app.alerts(&provider, "?status=open").await),
        [
            "dropout_without_outreach",
            "treatment_ended_without_followup"
        ]
    );
    assert_eq!(
        app.refer(PROVIDER_A, &trajectory, "aftercare", PROVIDER_A)
            .await
            .status(),
        201
    );
    assert_eq!(
        rules(&app.alerts(&provider, "?status=open").await),
        ["treatment_ended_without_followup"],
        "a request is outreach, not yet follow-up"
    );
    let resolved = app
        .alerts(&provider, "?rule=dropout_without_outreach")
        .await;
    assert_eq!(resolved[0]["resolution"]["cause"], "referral_requested");
}

#[tokio::test]
async fn an_approaching_end_warns_from_a_timer_when_the_day_comes() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let planned = Utc::now().date_naive() + Days::new(30);
    let response = app
        .post("/v1/trajectories", &provider, &json!({"client_ref": "client-1", "municipality": NIJMEGEN, "started_on": "2026-01-05", "planned_end_on": planned}))
        .await;
    assert_eq!(response.status(), 201);
    assert!(
        app.alerts(&provider, "").await.is_empty(),
        "30 days ahead: no warning yet"
    );

    app.clock.advance(Duration::days(17));
    let item = app
        .await_alert(
            &provider,
            "end_approaching_without_followup",
            "alert_opened",
        )
        .await;
    assert_eq!(item["alert"]["severity"], "warning");
    assert_eq!(
        item["alert"]["facts"]["planned_end_on"],
        planned.to_string()
    );
    assert_eq!(
        app.alerts(&provider, "?rule=end_approaching_without_followup")
            .await
            .len(),
        1,
        "fired once"
    );
}

#[tokio::test]
async fn an_unacknowledged_referral_alerts_both_parties_after_five_working_days() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let referral = id(&app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));
    assert!(app.alerts(&nijmegen, "").await.is_empty());

    // Eight calendar days always hold five working days plus a weekend... unless holidays
    // intervene; ten is enough for any week of the year.
    app.clock.advance(Duration::days(10));
    let item = app
        .await_alert(&nijmegen, "referral_unacknowledged", "alert_opened")
        .await;
    assert_eq!(item["alert"]["referral_id"], referral.as_str());
    assert_eq!(item["alert"]["recipient"], NIJMEGEN);
    assert_eq!(
        app.alerts(&provider, "?rule=referral_unacknowledged")
            .await
            .len(),
        1,
        "the provider sees it too"
    );
    assert!(
        app.alerts(&token(AMSTERDAM, "municipality"), "")
            .await
            .is_empty()
    );

    assert_eq!(
        app.act(&nijmegen, &referral, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let cleared = app.alerts(&nijmegen, "?rule=referral_unacknowledged").await;
    assert_eq!(cleared[0]["status"], "resolved");
    assert_eq!(cleared[0]["resolution"]["cause"], "referral_acknowledged");
}

#[tokio::test]
async fn a_wmo_assessment_past_six_weeks_is_overdue_until_decided() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let referral = id(&app
        .refer(PROVIDER_A, &trajectory, "wmo_support", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));
    let acknowledged = app.act(&nijmegen, &referral, "acknowledge", 1, None).await;
    assert_eq!(acknowledged.status(), 200);
    let due: chrono::NaiveDate =
        acknowledged.json::<Value>().await.expect("json")["dates"]["assessment_due_on"]
            .as_str()
            .expect("due date")
            .parse()
            .expect("date");
    assert_eq!(
        app.act(&nijmegen, &referral, "assess", 2, None)
            .await
            .status(),
        200
    );

    // The day after the term (6 weeks, extended past a weekend or holiday: a fixed 44 days
    // fell short when the term ended on a Saturday).
    app.clock
        .advance(Duration::days((due - app.clock.now_date()).num_days() + 1));
    let item = app
        .await_alert(&nijmegen, "wmo_assessment_overdue", "alert_opened")
        .await;
    assert_eq!(item["alert"]["facts"]["term"], "assessment");
    let start = app.clock.now_date() + Days::new(7);
    assert_eq!(
        app.act(
            &nijmegen,
            &referral,
            "accept",
            3,
            Some(json!({"planned_start_on": start}))
        )
        .await
        .status(),
        200
    );
    let after = app.alerts(&nijmegen, "?rule=wmo_assessment_overdue").await;
    assert_eq!(after[0]["status"], "resolved");
}

#[tokio::test]
async fn a_followup_that_does_not_start_by_its_planned_start_is_overdue() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let (_, referral) = with_accepted_referral(&app, "client-1").await;
    app.clock.advance(Duration::days(9));
    app.await_alert(&nijmegen, "followup_start_overdue", "alert_opened")
        .await;
    assert_eq!(
        app.act(&nijmegen, &referral, "start", 3, None)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.alerts(&nijmegen, "?rule=followup_start_overdue").await[0]["status"],
        "resolved"
    );
}

#[tokio::test]
async fn a_support_gap_opens_when_the_last_active_referral_ends() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let (trajectory, referral) = with_accepted_referral(&app, "client-1").await;
    assert_eq!(
        app.act(&nijmegen, &referral, "start", 3, None)
            .await
            .status(),
        200
    );
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "social_support", "reason": "planned_completion"}),
    )
    .await;
    assert!(
        app.alerts(&provider, "").await.is_empty(),
        "follow-up in place"
    );
    assert_eq!(
        app.act(&nijmegen, &referral, "complete", 4, None)
            .await
            .status(),
        200
    );
    let open = app.alerts(&provider, "?status=open").await;
    assert_eq!(rules(&open), ["support_gap"]);
    assert_eq!(open[0]["severity"], "critical");
    // Closing the trajectory settles it.
    app.transition_ok(
        &provider,
        &trajectory,
        2,
        &json!({"to": "closed", "reason": "goals_achieved"}),
    )
    .await;
    assert!(app.alerts(&provider, "?status=open").await.is_empty());
}

#[tokio::test]
async fn an_unacknowledged_critical_alert_escalates() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "closed", "reason": "client_choice"}),
    )
    .await;
    app.clock.advance(Duration::hours(25));
    let item = app
        .await_alert(
            &provider,
            "treatment_ended_without_followup",
            "alert_escalated",
        )
        .await;
    assert_eq!(item["alert"]["severity"], "escalated");
    assert!(item["alert"]["escalated_at"].is_string());
    let all = app.alerts(&provider, "").await;
    assert_eq!(
        all.len(),
        1,
        "escalation changes the alert, it opens no new one"
    );
}

#[tokio::test]
async fn alerts_are_acknowledged_and_resolved_by_hand_by_whom_they_concern() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "social_support", "reason": "moved"}),
    )
    .await;
    let alert = id(&app.alerts(&provider, "").await[0]);

    for outsider in [
        token(PROVIDER_B, "provider"),
        token(AMSTERDAM, "municipality"),
    ] {
        assert_eq!(
            problem(
                app.post_at(
                    &format!("/v1/alerts/{alert}/acknowledge"),
                    &outsider,
                    1,
                    &json!({})
                )
                .await
            )
            .await
            .0,
            404
        );
        assert_eq!(
            problem(app.get(&format!("/v1/alerts/{alert}"), &outsider).await)
                .await
                .0,
            404
        );
    }
    let acknowledged = app
        .post_at(
            &format!("/v1/alerts/{alert}/acknowledge"),
            &provider,
            1,
            &json!({}),
        )
        .await;
    assert_eq!(acknowledged.status(), 200);
    let acknowledged: Value = acknowledged.json().await.expect("json");
    assert_eq!(acknowledged["status"], "acknowledged");
    assert_eq!(acknowledged["acknowledged_by"]["subject"], "test-user");
    assert_eq!(
        problem(
            app.post_at(
                &format!("/v1/alerts/{alert}/acknowledge"),
                &provider,
                2,
                &json!({})
            )
            .await
        )
        .await
        .0,
        409
    );
    assert_eq!(
        problem(
            app.post_at(
                &format!("/v1/alerts/{alert}/resolve"),
                &provider,
                2,
                &json!({"reason": " "})
            )
            .await
        )
        .await
        .0,
        422
    );
    let resolved = app
        .post_at(
            &format!("/v1/alerts/{alert}/resolve"),
            &provider,
            2,
            &json!({"reason": "Cliënt verhuisd naar Arnhem; overgedragen aan daar"}),
        )
        .await;
    assert_eq!(resolved.status(), 200);
    let resolved: Value = resolved.json().await.expect("json");
    assert_eq!(resolved["resolution"]["kind"], "by_hand");

    // The gap still exists, but the hand resolution stands: a new change opens no new alert.
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    assert_eq!(
        app.refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await
            .status(),
        201
    );
    assert_eq!(
        app.alerts(&provider, "?rule=treatment_ended_without_followup")
            .await
            .len(),
        1
    );
    let admin = app
        .alerts(
            &token("agb:00000001", "admin"),
            &format!("?trajectory={trajectory}"),
        )
        .await;
    assert_eq!(admin.len(), 1, "administrators read all alerts");
}
