//! The disclosure table at work on the surfaces that show people to other organisations:
//! a naaste through a referral (her presence, her contact, her id in meetings), and the
//! municipality's view of its resident's gap alerts (after consent withdrawal nothing,
//! and never why treatment ended, free text or who acted).

use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, token};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

async fn read(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get(path, token).await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn join(app: &TestApp, trajectory: &str, body: Value) -> String {
    let response = app
        .post(
            &format!("/v1/trajectories/{trajectory}/participants"),
            &token(PROVIDER_A, "provider"),
            &body,
        )
        .await;
    assert_eq!(response.status(), 201);
    id(&response.json().await.expect("json"))
}

fn relative<'a>(team: &'a Value, relation: &str) -> Option<&'a Value> {
    team["current"]
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["relation"] == relation)
}

#[tokio::test]
async fn a_naaste_is_shown_to_the_recipient_only_as_the_table_allows() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = app.register_id(PROVIDER_A, "naaste-client").await;
    let consent = id(&app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await);
    let sister = join(
        &app,
        &trajectory,
        json!({"role": "relative", "name": "Zus", "relation": "zus", "phone": "06-1",
               "email": "zus@example.nl", "consent": {"share_with": [NIJMEGEN]}}),
    )
    .await;
    let brother = join(
        &app,
        &trajectory,
        json!({"role": "relative", "name": "Broer", "relation": "broer", "consent": {}}),
    )
    .await;
    let rid = id(&app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json::<Value>()
        .await
        .expect("json"));
    let team = format!("/v1/referrals/{rid}/participants");
    let overview = format!("/v1/referrals/{rid}/overview");

    // Requested: Nijmegen may know a sister takes part, not who she is or how to reach her.
    let seen = read(&app, &team, &nijmegen).await;
    let zus = relative(&seen, "zus").expect("present");
    assert_eq!(zus["name"], Value::Null, "{zus}");
    assert_eq!(zus["phone"], Value::Null, "{zus}");
    assert_eq!(zus["email"], Value::Null, "{zus}");
    assert!(zus.get("consent").is_none_or(Value::is_null), "{zus}");
    assert!(
        relative(&seen, "broer").is_none(),
        "not named: not even present"
    );
    let contacts = read(&app, &overview, &nijmegen).await;
    assert!(!contacts.to_string().contains("06-1"), "{contacts}");

    // A meeting with both naasten: Nijmegen never learns the brother's id.
    let planned_at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let meeting = app
        .post(
            &format!("/v1/referrals/{rid}/warm-handoff/meetings"),
            &provider,
            &json!({"planned_at": planned_at, "participants": [sister, brother]}),
        )
        .await;
    assert_eq!(meeting.status(), 201);
    let meetings = read(
        &app,
        &format!("/v1/referrals/{rid}/warm-handoff/meetings"),
        &nijmegen,
    )
    .await;
    assert_eq!(meetings["items"][0]["participants"], json!([sister]));
    let overview_seen = read(&app, &overview, &nijmegen).await;
    assert!(
        !overview_seen.to_string().contains(&brother),
        "{overview_seen}"
    );
    let own = read(
        &app,
        &format!("/v1/referrals/{rid}/warm-handoff/meetings"),
        &provider,
    )
    .await;
    assert_eq!(own["items"][0]["participants"], json!([sister, brother]));

    // Accepted: her contact.
    assert_eq!(
        app.act(&nijmegen, &rid, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let start = chrono::Utc::now().date_naive() + chrono::Days::new(7);
    let accepted = app
        .act(
            &nijmegen,
            &rid,
            "accept",
            2,
            Some(json!({"planned_start_on": start})),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    let seen = read(&app, &team, &nijmegen).await;
    let zus = relative(&seen, "zus").expect("present");
    assert_eq!(zus["name"], "Zus");
    assert_eq!(zus["phone"], "06-1");
    assert!(zus.get("consent").is_none_or(Value::is_null), "{zus}");

    // Consent withdrawn: gone at once, from every view through the referral.
    app.withdraw(&provider, &trajectory, &consent).await;
    let seen = read(&app, &team, &nijmegen).await;
    assert!(relative(&seen, "zus").is_none(), "{seen}");
    for path in [
        overview.clone(),
        format!("/v1/referrals/{rid}/warm-handoff/meetings"),
    ] {
        let body = read(&app, &path, &nijmegen).await.to_string();
        assert!(!body.contains(&sister), "{path}: {body}");
        assert!(
            !body.contains("06-1") && !body.contains("Zus"),
            "{path}: {body}"
        );
    }
    // The provider's own record keeps her.
    let own = read(
        &app,
        &format!("/v1/trajectories/{trajectory}/participants"),
        &provider,
    )
    .await;
    assert_eq!(relative(&own, "zus").expect("kept")["name"], "Zus");
}

#[tokio::test]
async fn the_municipality_hears_nothing_after_withdrawal_and_never_why_what_was_written_or_who() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = app.register_id(PROVIDER_A, "gap-client").await;
    let consent = id(&app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await);
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "social_support", "reason": "dropout"}),
    )
    .await;
    let own = app
        .alerts(&provider, "?rule=dropout_without_outreach")
        .await;
    let dropout = id(&own[0]);
    let resolved = app
        .post_at(
            &format!("/v1/alerts/{dropout}/resolve"),
            &provider,
            1,
            &json!({"reason": "Cliënt is teruggevallen in gebruik; zelf gebeld"}),
        )
        .await;
    assert_eq!(resolved.status(), 200);

    // Nijmegen sees that the path broke, not why, not the note, not who wrote it.
    let shared = app.alerts(&nijmegen, "").await;
    assert_eq!(shared.len(), 2, "{shared:?}");
    for alert in &shared {
        assert_eq!(alert["rule"], "treatment_ended_without_followup", "{alert}");
        assert!(alert["facts"].get("end_reason").is_none(), "{alert}");
    }
    // It may read them, not change them: 403, not 404.
    let open = shared
        .iter()
        .find(|a| a["status"] != "resolved")
        .expect("an open one");
    let acknowledge = format!("/v1/alerts/{}/acknowledge", id(open));
    let version = open["version"].as_u64().expect("version");
    let refused = app
        .post_at(&acknowledge, &nijmegen, version, &json!({}))
        .await;
    assert_eq!(refused.status(), 403);
    let text = serde_json::to_string(&shared).expect("json");
    assert!(!text.contains("dropout"), "{text}");
    assert!(!text.contains("teruggevallen"), "{text}");
    assert!(!text.contains("test-user"), "{text}");
    let feed = app.feed_collect_alerts(&nijmegen).await;
    assert!(!feed.is_empty());
    let text = serde_json::to_string(&feed).expect("json");
    assert!(
        !text.contains("dropout") && !text.contains("teruggevallen") && !text.contains("test-user"),
        "{text}"
    );

    // Consent withdrawn: nothing of this client reaches Nijmegen any more, not the alerts,
    // not their feed, not what happens to them later.
    app.withdraw(&provider, &trajectory, &consent).await;
    assert_eq!(
        app.refer(PROVIDER_A, &trajectory, "aftercare", PROVIDER_A)
            .await
            .status(),
        201
    );
    assert!(app.alerts(&nijmegen, "").await.is_empty());
    let after = app
        .post_at(&acknowledge, &nijmegen, version, &json!({}))
        .await;
    assert_eq!(after.status(), 404, "no longer readable either");
    assert_eq!(
        app.get(&format!("/v1/alerts/{dropout}"), &nijmegen)
            .await
            .status(),
        404
    );
    assert!(app.feed_collect_alerts(&nijmegen).await.is_empty());
}

/// Needs travel to the recipient (and into FHIR `Task.description`): a BSN or a diagnosis
/// code in them is refused with 422 naming the field, and nothing is referred.
#[tokio::test]
async fn needs_holding_a_bsn_or_a_diagnosis_code_are_refused() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "needs-client").await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let path = format!("/v1/trajectories/{trajectory}/referrals");
    for needs in [
        "Woonruimte; BSN 123456782",
        "Verslaving (F10.2), zoekt dagbesteding",
        "DSM-5 303.90 en schulden",
    ] {
        let response = app
            .post(
                &path,
                &provider,
                &json!({"kind": "housing", "recipient": NIJMEGEN, "needs": needs,
                        "client": {"name": "J. Jansen"}}),
            )
            .await;
        let status = response.status();
        let body: Value = response.json().await.expect("problem");
        assert_eq!(status, 422, "{needs}: {body}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("needs"), "{detail}");
        assert!(
            !detail.contains("123456782"),
            "the refusal does not echo it: {detail}"
        );
    }
    let outbox = read(&app, "/v1/referrals/outbox-feed", &provider).await;
    assert_eq!(outbox["items"], json!([]), "nothing was referred");
    assert_eq!(
        app.refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
            .await
            .status(),
        201
    );
}

/// The help asked, as codes: free text is the exception. A referral with codes only is
/// taken and shown to the recipient (and in FHIR's Task.description in plain Dutch); one
/// with neither codes nor words is refused naming `life_domains`; an unknown code too.
#[tokio::test]
async fn a_referral_asks_help_in_life_domains() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = app.register_id(PROVIDER_A, "domains-client").await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let path = format!("/v1/trajectories/{trajectory}/referrals");
    for (body, named) in [
        (
            json!({"kind": "housing", "recipient": NIJMEGEN}),
            "life_domains",
        ),
        (
            json!({"kind": "housing", "recipient": NIJMEGEN, "life_domains": ["diagnose"]}),
            "life_domains",
        ),
    ] {
        let response = app.post(&path, &provider, &body).await;
        let status = response.status();
        let problem: Value = response.json().await.expect("problem");
        assert_eq!(status, 422, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(named),
            "{problem}"
        );
    }
    let referred = app
        .post(
            &path,
            &provider,
            &json!({"kind": "housing", "recipient": NIJMEGEN,
                    "life_domains": ["housing", "income_and_debts", "housing"],
                    "client": {"name": "J. Jansen"}}),
        )
        .await;
    assert_eq!(referred.status(), 201);
    let referral: Value = referred.json().await.expect("json");
    assert_eq!(
        referral["life_domains"],
        json!(["housing", "income_and_debts"])
    );
    assert_eq!(referral["needs"], Value::Null);
    let rid = id(&referral);
    let seen = read(&app, &format!("/v1/referrals/{rid}"), &nijmegen).await;
    assert_eq!(seen["life_domains"], json!(["housing", "income_and_debts"]));
    let task = app
        .get(&format!("/fhir/Task/{rid}"), &nijmegen)
        .await
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(task["description"], "Hulp bij: wonen, inkomen en schulden");
}
