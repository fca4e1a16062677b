//! Follow-up referrals as a closed loop between a provider and a municipality.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{AMSTERDAM, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().expect("object").keys().cloned().collect()
}

#[tokio::test]
async fn the_nijmegen_scenario_closes_the_loop() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let amsterdam = token(AMSTERDAM, "municipality");

    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let housing = app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await;
    assert_eq!(housing.status(), 201);
    assert_eq!(housing.headers()["etag"], "\"1\"");
    let housing: Value = housing.json().await.expect("json");
    assert_eq!(housing["status"], "requested");
    assert_eq!(housing["consent_holds"], true);
    let debt: Value = app
        .refer(PROVIDER_A, &trajectory, "income_and_debt", NIJMEGEN)
        .await
        .json()
        .await
        .expect("json");

    // Nijmegen polls its inbox: both requests, with the client's name and the request, no contact details yet.
    let (items, cursor) = app.feed_collect("inbox", &nijmegen, None, 2).await;
    let first = &items[0]["referral"];
    assert_eq!(first["id"], housing["id"]);
    assert_eq!(items[0]["change"], "referral_requested");
    assert_eq!(first["client"], json!({"name": "J. Jansen"}));
    assert_eq!(first["needs"], "Zoekt woonruimte en hulp bij schulden");
    assert_eq!(first["referrer"]["name"], "M. de Vries");
    assert_eq!(first["allowed_actions"], json!(["acknowledge"]));

    // Acknowledge, accept with a start date, start.
    let rid = id(&housing);
    let ack = app.act(&nijmegen, &rid, "acknowledge", 1, None).await;
    assert_eq!(ack.status(), 200);
    let ack: Value = ack.json().await.expect("json");
    assert_eq!(ack["status"], "received");
    let due = herstelbrug_domain::calendar::term_end(
        chrono::Utc::now().date_naive() + chrono::Days::new(42),
    )
    .to_string();
    assert_eq!(
        housing["dates"]["assessment_due_on"], due,
        "6 weeks after the melding reached the inbox (extended past a weekend or holiday)"
    );
    assert_eq!(
        ack["dates"]["assessment_due_on"], due,
        "acknowledging does not move it"
    );
    let accepted = app
        .act(
            &nijmegen,
            &rid,
            "accept",
            2,
            Some(json!({"planned_start_on": "2026-12-15"})),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    let accepted: Value = accepted.json().await.expect("json");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["dates"]["planned_start_on"], "2026-12-15");
    assert_eq!(
        accepted["client"]["phone"], "06-12345678",
        "contact details once accepted"
    );
    let started: Value = app
        .act(&nijmegen, &rid, "start", 3, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(started["status"], "in_progress");

    // Nijmegen's inbox shows the three changes after its cursor.
    let (later, _) = app.feed_collect("inbox", &nijmegen, Some(&cursor), 3).await;
    let changes: Vec<&str> = later.iter().filter_map(|i| i["change"].as_str()).collect();
    assert_eq!(
        changes,
        [
            "referral_acknowledged",
            "referral_accepted",
            "referral_started"
        ]
    );

    // The provider follows every step in its outbox feed and the trajectory's history.
    let (outbox, _) = app.feed_collect("outbox-feed", &provider, None, 5).await;
    let changes: Vec<&str> = outbox.iter().filter_map(|i| i["change"].as_str()).collect();
    assert_eq!(
        changes,
        [
            "referral_requested",
            "referral_requested",
            "referral_acknowledged",
            "referral_accepted",
            "referral_started"
        ]
    );
    assert_eq!(outbox[4]["referral"]["status"], "in_progress");
    let history: Value = app
        .get(&format!("/v1/trajectories/{trajectory}/events"), &provider)
        .await
        .json()
        .await
        .expect("json");
    let kinds: Vec<&str> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "registered",
            "referral_requested",
            "referral_requested",
            "referral_acknowledged",
            "referral_accepted",
            "referral_started"
        ]
    );
    let accepted_event = &history["items"][4];
    assert_eq!(accepted_event["actor"]["org"], NIJMEGEN);
    assert_eq!(accepted_event["referral_id"], housing["id"]);
    assert_eq!(accepted_event["from"], "received");

    // Amsterdam sees none of it.
    let empty = app.feed("inbox", &amsterdam, None).await;
    assert_eq!(empty["items"], json!([]));
    assert_eq!(
        problem(app.get(&format!("/v1/referrals/{rid}"), &amsterdam).await)
            .await
            .0,
        404
    );
    assert_eq!(
        problem(
            app.act(&amsterdam, &id(&debt), "acknowledge", 1, None)
                .await
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn referring_outside_the_provider_needs_consent_for_that_organisation() {
    let app = TestApp::spawn().await;
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    let (status, body) = problem(
        app.refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        body["type"],
        "https://herstelbrug.nl/problems/consent-required"
    );

    app.consent(PROVIDER_A, &trajectory, AMSTERDAM).await;
    let (status, body) = problem(
        app.refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await,
    )
    .await;
    assert_eq!(
        (status, body["type"].as_str()),
        (
            409,
            Some("https://herstelbrug.nl/problems/consent-required")
        )
    );

    // Aftercare by the treating provider itself needs none, and its own inbox shows it.
    assert_eq!(
        app.refer(PROVIDER_A, &trajectory, "aftercare", PROVIDER_A)
            .await
            .status(),
        201
    );
    let (inbox, _) = app
        .feed_collect("inbox", &token(PROVIDER_A, "provider"), None, 1)
        .await;
    assert_eq!(inbox[0]["referral"]["kind"], "aftercare");

    let list: Value = app
        .get(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &token(PROVIDER_A, "provider"),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(1),
        "refused referrals left nothing behind"
    );
}

#[tokio::test]
async fn a_second_identical_open_referral_is_refused_until_the_first_closes() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let first: Value = app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json()
        .await
        .expect("json");
    let (status, body) = problem(
        app.refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await,
    )
    .await;
    assert_eq!(
        (status, body["type"].as_str()),
        (
            409,
            Some("https://herstelbrug.nl/problems/open-referral-exists")
        )
    );
    assert_eq!(
        app.refer(PROVIDER_A, &trajectory, "wmo_support", NIJMEGEN)
            .await
            .status(),
        201,
        "another kind is fine"
    );

    let rid = id(&first);
    assert_eq!(
        app.act(&nijmegen, &rid, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let (status, body) = problem(
        app.act(
            &nijmegen,
            &rid,
            "reject",
            2,
            Some(json!({"reason": "Geen Wmo-grondslag"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "a rejection needs a coded reason: {body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("reason_code")),
        "{body}"
    );
    let rejected = app
        .act(
            &nijmegen,
            &rid,
            "reject",
            2,
            Some(json!({"reason_code": "not_eligible",
                        "reason": "Geen Wmo-grondslag; verwezen naar wijkteam"})),
        )
        .await;
    assert_eq!(rejected.status(), 200);
    let rejected: Value = rejected.json().await.expect("json");
    assert_eq!(rejected["rejection_reason"], "not_eligible");
    assert_eq!(
        app.refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn only_the_right_party_may_act_and_only_as_the_table_allows() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let rid = id(&app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));

    assert_eq!(
        problem(app.act(&provider, &rid, "acknowledge", 1, None).await)
            .await
            .0,
        403
    );
    assert_eq!(
        problem(app.act(&nijmegen, &rid, "cancel", 1, None).await)
            .await
            .0,
        403
    );
    let (status, body) = problem(app.act(&nijmegen, &rid, "start", 1, None).await).await;
    assert_eq!(status, 409);
    assert_eq!(body["allowed"], json!(["acknowledge"]));
    assert_eq!(
        problem(app.act(&nijmegen, &rid, "teleport", 1, None).await)
            .await
            .0,
        404
    );
    assert_eq!(
        problem(app.act(&nijmegen, &rid, "acknowledge", 7, None).await)
            .await
            .0,
        412
    );
    let missing = app
        .request(
            reqwest::Method::POST,
            &format!("/v1/referrals/{rid}/acknowledge"),
            &nijmegen,
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(problem(missing).await.0, 428);

    assert_eq!(
        app.act(&nijmegen, &rid, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.act(
            &nijmegen,
            &rid,
            "assess",
            2,
            Some(json!({"application_on": chrono::Utc::now().date_naive()}))
        )
        .await
        .status(),
        200
    );
    let (status, body) = problem(app.act(&nijmegen, &rid, "assess", 3, None).await).await;
    assert_eq!(status, 409, "assessment happens once");
    assert_eq!(body["allowed"], json!(["accept", "reject"]));
    let (status, _) = problem(app.act(&nijmegen, &rid, "accept", 3, Some(json!({}))).await).await;
    assert_eq!(status, 422, "accept needs planned_start_on");
    let (status, _) = problem(
        app.act(
            &nijmegen,
            &rid,
            "reject",
            3,
            Some(json!({"reason": "x", "colour": "red"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400, "unknown fields are refused");

    let cancelled = app
        .act(
            &provider,
            &rid,
            "cancel",
            3,
            Some(json!({"reason": "Cliënt verhuist"})),
        )
        .await;
    assert_eq!(cancelled.status(), 200);
    let cancelled: Value = cancelled.json().await.expect("json");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["status_reason"], "Cliënt verhuist");
    let current: Value = app
        .get(&format!("/v1/referrals/{rid}"), &provider)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(current["version"], 4);
    assert!(
        current["dates"]["decision_due_on"].is_string(),
        "decision due 2 weeks after the application"
    );
}

#[tokio::test]
async fn the_recipient_sees_only_the_allowlist_as_consent_and_status_allow() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    let consent = app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let rid = id(&app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));

    let base: BTreeSet<String> = [
        "view",
        "id",
        "kind",
        "requester",
        "referrer",
        "status",
        "rejection_reason",
        "cancelled_because",
        "offer_id",
        "dates",
        "consent_withdrawn",
        "allowed_actions",
        "version",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let with_request: BTreeSet<String> = base
        .iter()
        .cloned()
        .chain(["client", "needs", "requested_start_on"].map(str::to_owned))
        .collect();

    let open: Value = app
        .get(&format!("/v1/referrals/{rid}"), &nijmegen)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(keys(&open), with_request);
    assert_eq!(keys(&open["client"]), BTreeSet::from(["name".to_owned()]));
    for forbidden in ["trajectory_id", "client_ref", "bsn", "diagnosis"] {
        assert!(
            open.get(forbidden).is_none(),
            "{forbidden} never reaches the recipient"
        );
    }
    // The requester sees everything.
    let full: Value = app
        .get(&format!("/v1/referrals/{rid}"), &provider)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(full["client"]["address"], "Voorbeeldstraat 1, Nijmegen");
    assert_eq!(full["trajectory_id"], trajectory);

    assert_eq!(
        app.act(&nijmegen, &rid, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let accepted: Value = app
        .act(
            &nijmegen,
            &rid,
            "accept",
            2,
            Some(json!({"planned_start_on": "2027-01-04"})),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        keys(&accepted["client"]),
        BTreeSet::from(["name", "phone", "email", "address"].map(str::to_owned))
    );

    // Consent withdrawn: at once nothing personal, and the inbox says so.
    let (_, cursor) = app.feed_collect("inbox", &nijmegen, None, 3).await;
    let withdrawn = app
        .post_at(
            &format!(
                "/v1/trajectories/{trajectory}/consents/{}/withdraw",
                id(&consent)
            ),
            &provider,
            1,
            &json!({"reason": "Cliënt trekt toestemming in"}),
        )
        .await;
    assert_eq!(withdrawn.status(), 200);
    assert_eq!(
        withdrawn.json::<Value>().await.expect("json")["status"],
        "withdrawn"
    );
    let hidden: Value = app
        .get(&format!("/v1/referrals/{rid}"), &nijmegen)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(keys(&hidden), base);
    assert_eq!(hidden["consent_withdrawn"], true);
    let (notice, _) = app.feed_collect("inbox", &nijmegen, Some(&cursor), 2).await;
    assert_eq!(notice[0]["change"], "consent_withdrawn");
    assert_eq!(
        notice[1]["change"], "referral_cancelled",
        "the recipient may no longer see the client, so its referral is cancelled"
    );
    assert_eq!(notice[1]["referral"]["status"], "cancelled");
    assert!(notice.iter().all(|n| n["referral"].get("client").is_none()));

    let again = app
        .post_at(
            &format!(
                "/v1/trajectories/{trajectory}/consents/{}/withdraw",
                id(&consent)
            ),
            &provider,
            2,
            &json!({}),
        )
        .await;
    assert_eq!(problem(again).await.0, 409);

    // Closed referrals show nothing personal even with renewed consent, and take no action.
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let shown: Value = app
        .get(&format!("/v1/referrals/{rid}"), &nijmegen)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(shown["status"], "cancelled");
    assert_eq!(keys(&shown), base);
    assert_eq!(
        problem(app.act(&nijmegen, &rid, "start", 4, None).await)
            .await
            .0,
        409,
        "the recipient can no longer act on a referral for a client it may not see"
    );
}

#[tokio::test]
async fn bad_referral_input_is_a_clear_problem_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let path = format!("/v1/trajectories/{trajectory}/referrals");
    let cases = [
        (
            json!({"kind": "spaceship", "recipient": NIJMEGEN, "needs": "x"}),
            400,
        ),
        (
            json!({"kind": "housing", "recipient": "gemeente:12", "needs": "x"}),
            422,
        ),
        (
            json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "  "}),
            422,
        ),
        (
            json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "x".repeat(1001)}),
            422,
        ),
        (
            json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "x", "requested_start_on": "2020-01-01"}),
            422,
        ),
        (
            json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "x", "client": {"email": "not-an-email"}}),
            422,
        ),
        (
            json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "x", "diagnosis": "F10.2"}),
            400,
        ),
    ];
    for (body, expected) in cases {
        let (status, _) = problem(app.post(&path, &provider, &body).await).await;
        assert_eq!(status, expected, "{body}");
    }
    let (status, _) = problem(
        app.refer(PROVIDER_B, &trajectory, "housing", NIJMEGEN)
            .await,
    )
    .await;
    assert_eq!(status, 404, "another provider's trajectory");
    let list: Value = app.get(&path, &provider).await.json().await.expect("json");
    assert_eq!(list["items"], json!([]));
    assert_eq!(
        app.feed("outbox-feed", &provider, None).await["items"],
        json!([])
    );

    // Consent input.
    let consents = format!("/v1/trajectories/{trajectory}/consents");
    for body in [
        json!({"organisation": "gemeente:1", "purpose": "x"}),
        json!({"organisation": NIJMEGEN, "purpose": ""}),
        json!({"organisation": NIJMEGEN, "purpose": "x", "given_on": "2999-01-01"}),
        json!({"organisation": NIJMEGEN, "purpose": "x", "given_on": "2026-11-01", "expires_on": "2026-10-01"}),
    ] {
        assert_eq!(
            problem(app.post(&consents, &provider, &body).await).await.0,
            422,
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_closed_trajectory_takes_follow_up_for_90_days_and_that_resolves_its_alert() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = id(&app.register(PROVIDER_A, "client-1").await);
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "closed", "reason": "client_choice"}),
    )
    .await;
    let open = app
        .alerts(
            &provider,
            "?status=open&rule=treatment_ended_without_followup",
        )
        .await;
    assert_eq!(open.len(), 1, "treatment ended with nothing arranged");

    // The way out: the treating provider still arranges follow-up after closure.
    let late = app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await;
    assert_eq!(
        late.status(),
        201,
        "a closed trajectory takes a follow-up referral"
    );
    let rid = id(&late.json().await.expect("json"));
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
            Some(json!({"planned_start_on": "2027-01-04"})),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    assert!(
        app.alerts(
            &provider,
            "?status=open&rule=treatment_ended_without_followup"
        )
        .await
        .is_empty(),
        "the accepted late referral resolved the alert by itself"
    );

    app.clock.advance(chrono::Duration::days(91));
    let (status, body) = problem(
        app.refer(PROVIDER_A, &trajectory, "income_and_debt", NIJMEGEN)
            .await,
    )
    .await;
    assert_eq!(
        (status, body["type"].as_str()),
        (
            409,
            Some("https://herstelbrug.nl/problems/trajectory-closed")
        ),
        "91 days after closure a re-admission starts a new trajectory"
    );
}
