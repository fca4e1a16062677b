//! Routing: one offer to several candidates where the first acceptance wins and the
//! others hear they were not selected; concurrent acceptances; expiry on the injected
//! clock; the next candidates after a rejection; gap alerts that propose them; and the
//! client's municipality hearing about the gap only with the client's consent.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{AMSTERDAM, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};
use crate::receiver::Receiver;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// A housing service of `owner` in Nijmegen with room (`yes`) and a stated wait.
async fn housing(app: &TestApp, owner: &str, scope: &str, name: &str, wait: u32) -> String {
    let t = token(owner, scope);
    let created = app
        .post(
            "/v1/services",
            &t,
            &json!({"name": name, "kind": "housing", "serves": [NIJMEGEN], "stated_wait_days": wait}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let sid = id(&created.json().await.expect("json"));
    let room = app
        .post(
            &format!("/v1/services/{sid}/capacity"),
            &t,
            &json!({"availability": "yes"}),
        )
        .await;
    assert_eq!(room.status(), 200);
    sid
}

/// A trajectory of provider A in Nijmegen with consent for each of `orgs`.
async fn client(app: &TestApp, name: &str, orgs: &[&str]) -> String {
    let trajectory = app.register_id(PROVIDER_A, name).await;
    for org in orgs {
        app.consent(PROVIDER_A, &trajectory, org).await;
    }
    trajectory
}

async fn offer(app: &TestApp, trajectory: &str, candidates: Value) -> Value {
    let response = app
        .post(
            &format!("/v1/trajectories/{trajectory}/offers"),
            &token(PROVIDER_A, "provider"),
            &json!({"kind": "housing", "needs": "Woonruimte na opname",
                    "client": {"name": "J. Jansen", "phone": "06-12345678"},
                    "candidates": candidates}),
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "{body}");
    body
}

/// The offer as its requester (provider A) reads it.
async fn offer_view(app: &TestApp, made: &Value) -> Value {
    app.get(
        &format!("/v1/offers/{}", id(made)),
        &token(PROVIDER_A, "provider"),
    )
    .await
    .json()
    .await
    .expect("json")
}

fn candidate_of<'a>(offer: &'a Value, recipient: &str) -> &'a Value {
    offer["candidates"]
        .as_array()
        .and_then(|c| c.iter().find(|r| r["recipient"] == recipient))
        .expect("candidate")
}

#[tokio::test]
async fn the_second_candidate_accepts_and_the_first_is_told_it_was_not_selected() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let provider_b = token(PROVIDER_B, "provider");
    let first = housing(
        &app,
        NIJMEGEN,
        "municipality",
        "Begeleid wonen Nijmegen",
        30,
    )
    .await;
    let second = housing(&app, PROVIDER_B, "provider", "Kamers met begeleiding", 20).await;
    let trajectory = client(&app, "offer-client", &[NIJMEGEN, PROVIDER_B]).await;
    let made = offer(
        &app,
        &trajectory,
        json!([{"recipient": NIJMEGEN, "service": first}, {"recipient": PROVIDER_B, "service": second}]),
    )
    .await;
    assert_eq!(made["status"], "open");
    let to_first = id(candidate_of(&made, NIJMEGEN));
    let to_second = id(candidate_of(&made, PROVIDER_B));
    assert_eq!(candidate_of(&made, NIJMEGEN)["offer_id"], made["id"]);

    let (inbox, cursor) = app.feed_collect("inbox", &nijmegen, None, 1).await;
    assert_eq!(
        inbox[0]["referral"]["offer_id"], made["id"],
        "the group is visible"
    );
    assert_eq!(inbox[0]["referral"]["client"]["name"], "J. Jansen");
    for (t, rid) in [(&nijmegen, &to_first), (&provider_b, &to_second)] {
        assert_eq!(app.act(t, rid, "acknowledge", 1, None).await.status(), 200);
    }
    let planned = (chrono::Utc::now() + Duration::days(14))
        .date_naive()
        .to_string();
    let accepted = app
        .act(
            &provider_b,
            &to_second,
            "accept",
            2,
            Some(json!({"planned_start_on": planned})),
        )
        .await;
    assert_eq!(accepted.status(), 200);

    // Nijmegen hears at once, in its inbox, that it was not selected, and loses the
    // client's personal data.
    let (changes, _) = app.feed_collect("inbox", &nijmegen, Some(&cursor), 2).await;
    let last = changes.last().expect("a change");
    assert_eq!(last["change"], "referral_cancelled");
    assert_eq!(last["referral"]["cancelled_because"], "not_selected");
    assert!(last["referral"].get("client").is_none(), "{last}");
    let (status, body) = problem(
        app.act(
            &nijmegen,
            &to_first,
            "accept",
            2,
            Some(json!({"planned_start_on": planned})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["type"], "https://herstelbrug.nl/problems/offer-closed");
    // The winner accepting again hears what its own referral allows: it is accepted.
    let (status, body) = problem(
        app.act(
            &provider_b,
            &to_second,
            "accept",
            3,
            Some(json!({"planned_start_on": planned})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["type"], "https://herstelbrug.nl/problems/illegal-referral-action",
        "{body}"
    );

    // The offer's creation names who made it in the trajectory's timeline.
    let overview: Value = app
        .get(
            &format!("/v1/trajectories/{trajectory}/overview"),
            &token(PROVIDER_A, "provider"),
        )
        .await
        .json()
        .await
        .expect("json");
    let created = overview["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .find(|s| s["kind"] == "offer_created")
        .expect("offer_created")
        .clone();
    assert!(!created["by"].is_null(), "{created}");

    // The requester sees the group as one thing.
    let group: Value = offer_view(&app, &made).await;
    assert_eq!(group["status"], "selected");
    assert_eq!(group["selected_referral_id"], to_second.as_str());
    assert_eq!(candidate_of(&group, NIJMEGEN)["status"], "cancelled");
    assert_eq!(
        candidate_of(&group, NIJMEGEN)["status_reason"],
        "not_selected"
    );
    assert_eq!(candidate_of(&group, PROVIDER_B)["status"], "accepted");
    let listed: Value = app
        .get(
            &format!("/v1/trajectories/{trajectory}/offers"),
            &token(PROVIDER_A, "provider"),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"][0]["id"], made["id"]);
    // And in the trajectory's history.
    let events: Value = app
        .get(
            &format!("/v1/trajectories/{trajectory}/events"),
            &token(PROVIDER_A, "provider"),
        )
        .await
        .json()
        .await
        .expect("json");
    let text = events.to_string();
    assert!(
        text.contains("not_selected") && text.contains("referral_accepted"),
        "{text}"
    );
}

#[tokio::test]
async fn two_candidates_accepting_at_once_select_exactly_one() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let provider_b = token(PROVIDER_B, "provider");
    let planned = (chrono::Utc::now() + Duration::days(14))
        .date_naive()
        .to_string();
    for round in 0..6 {
        let trajectory = client(&app, &format!("race-{round}"), &[NIJMEGEN, PROVIDER_B]).await;
        let made = offer(
            &app,
            &trajectory,
            json!([{"recipient": NIJMEGEN}, {"recipient": PROVIDER_B}]),
        )
        .await;
        let a = id(candidate_of(&made, NIJMEGEN));
        let b = id(candidate_of(&made, PROVIDER_B));
        assert_eq!(
            app.act(&nijmegen, &a, "acknowledge", 1, None)
                .await
                .status(),
            200
        );
        assert_eq!(
            app.act(&provider_b, &b, "acknowledge", 1, None)
                .await
                .status(),
            200
        );
        let body = json!({"planned_start_on": planned});
        let (ra, rb) = tokio::join!(
            app.act(&nijmegen, &a, "accept", 2, Some(body.clone())),
            app.act(&provider_b, &b, "accept", 2, Some(body.clone())),
        );
        let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "round {round}: exactly one wins");
        let group: Value = offer_view(&app, &made).await;
        let accepted = group["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .filter(|c| c["status"] == "accepted")
            .count();
        assert_eq!(accepted, 1, "round {round}: {group}");
        assert_eq!(group["status"], "selected");
    }
}

#[tokio::test]
async fn an_offer_nobody_accepts_expires_and_its_alert_proposes_other_services() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let asked_a = housing(&app, NIJMEGEN, "municipality", "Gevraagd A", 10).await;
    let asked_b = housing(&app, PROVIDER_B, "provider", "Gevraagd B", 5).await;
    let other = housing(&app, AMSTERDAM, "municipality", "Ander aanbod", 40).await;
    let trajectory = client(&app, "expiry-client", &[NIJMEGEN, PROVIDER_B]).await;
    let made = offer(
        &app,
        &trajectory,
        json!([{"recipient": NIJMEGEN, "service": asked_a}, {"recipient": PROVIDER_B, "service": asked_b}]),
    )
    .await;
    // Nine days on nothing happens; past ten working days the offer expires.
    app.clock.advance(Duration::days(9));
    let group: Value = offer_view(&app, &made).await;
    assert_eq!(group["status"], "open");
    app.clock.advance(Duration::days(7));
    let opened = app
        .await_alert(&provider, "offer_expired", "alert_opened")
        .await;
    assert_eq!(opened["alert"]["severity"], "warning");
    let group: Value = offer_view(&app, &made).await;
    assert_eq!(group["status"], "expired");
    for c in group["candidates"].as_array().expect("candidates") {
        assert_eq!(c["status"], "cancelled");
        assert_eq!(c["status_reason"], "offer_expired");
    }
    let alert: Value = app
        .get(&format!("/v1/alerts/{}", id(&opened["alert"])), &provider)
        .await
        .json()
        .await
        .expect("json");
    let suggested: Vec<&str> = alert["suggestions"][0]["services"]
        .as_array()
        .expect("services")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(alert["suggestions"][0]["kind"], "housing");
    assert_eq!(
        suggested,
        vec![other.as_str()],
        "only the service not asked already"
    );
}

#[tokio::test]
async fn after_a_rejection_the_alternatives_leave_out_who_rejected_and_come_shortest_wait_first() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let rejecting = housing(&app, NIJMEGEN, "municipality", "Wijst af", 1).await;
    let slow = housing(&app, PROVIDER_B, "provider", "Trager", 60).await;
    let quick = housing(&app, AMSTERDAM, "municipality", "Sneller", 12).await;
    // No room: never suggested.
    let full = app
        .post(
            "/v1/services",
            &token(AMSTERDAM, "municipality"),
            &json!({"name": "Vol", "kind": "housing", "serves": [NIJMEGEN], "stated_wait_days": 0}),
        )
        .await;
    assert_eq!(full.status(), 201);
    let trajectory = client(&app, "alt-client", &[NIJMEGEN]).await;
    app.transition_ok(
        &provider,
        &trajectory,
        1,
        &json!({"to": "social_support", "reason": "planned_completion"}),
    )
    .await;
    let referral = app
        .post(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &provider,
            &json!({"kind": "housing", "recipient": NIJMEGEN, "service": rejecting,
                    "needs": "Woonruimte"}),
        )
        .await;
    assert_eq!(referral.status(), 201);
    let rid = id(&referral.json().await.expect("json"));
    assert_eq!(
        app.act(&nijmegen, &rid, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let rejected = app
        .act(
            &nijmegen,
            &rid,
            "reject",
            2,
            Some(json!({"reason_code": "no_capacity"})),
        )
        .await;
    assert_eq!(rejected.status(), 200);

    let alternatives: Value = app
        .get(&format!("/v1/referrals/{rid}/alternatives"), &provider)
        .await
        .json()
        .await
        .expect("json");
    let order: Vec<&str> = alternatives["suggestion"]["services"]
        .as_array()
        .expect("services")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(order, vec![quick.as_str(), slow.as_str()], "{alternatives}");
    let (status, _) = problem(
        app.get(&format!("/v1/referrals/{rid}/alternatives"), &nijmegen)
            .await,
    )
    .await;
    assert_eq!(status, 403, "the requester's, not the recipient's");

    // The treatment ended with nothing in place: the gap alert proposes the same.
    let open = app
        .alerts(
            &provider,
            "?status=open&rule=treatment_ended_without_followup",
        )
        .await;
    assert_eq!(
        open.len(),
        1,
        "the last candidate rejected: the gap alert is open"
    );
    let alert: Value = app
        .get(&format!("/v1/alerts/{}", id(&open[0])), &provider)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(alert["suggestions"][0]["kind"], "housing");
    assert_eq!(alert["suggestions"][0]["services"][0]["id"], quick.as_str());
    assert!(open[0].get("suggestions").is_none(), "lists stay light");
}

#[tokio::test]
async fn the_municipality_hears_of_its_residents_gap_only_with_consent() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let receiver = Receiver::start(&[]);
    let subscribed = app
        .post(
            "/v1/webhook-subscriptions",
            &nijmegen,
            &json!({"url": receiver.url, "event_types": ["alert.opened"]}),
        )
        .await;
    assert_eq!(subscribed.status(), 201);
    let end = json!({"to": "closed", "reason": "client_choice"});
    let private = client(&app, "no-consent", &[]).await;
    app.transition_ok(&provider, &private, 1, &end).await;
    let shared = client(&app, "with-consent", &[NIJMEGEN]).await;
    app.transition_ok(&provider, &shared, 1, &end).await;

    let seen = app
        .alerts(&nijmegen, "?rule=treatment_ended_without_followup")
        .await;
    assert_eq!(seen.len(), 1, "only the client who consented: {seen:?}");
    assert_eq!(seen[0]["trajectory_id"], shared.as_str());
    assert!(
        seen[0]["facts"].get("end_reason").is_none(),
        "never why: {}",
        seen[0]
    );
    let heard = app
        .await_alert(
            &nijmegen,
            "treatment_ended_without_followup",
            "alert_opened",
        )
        .await;
    assert_eq!(heard["alert"]["trajectory_id"], shared.as_str());
    assert_eq!(
        app.alerts(&provider, "?rule=treatment_ended_without_followup")
            .await
            .len(),
        2
    );
    assert!(
        receiver
            .wait_for(1, std::time::Duration::from_secs(10))
            .await,
        "its webhook heard it"
    );
    let delivered: Vec<Value> = receiver
        .received()
        .iter()
        .map(|r| serde_json::from_str(&r.body).expect("json"))
        .collect();
    assert_eq!(
        delivered.len(),
        1,
        "one alert for one consenting resident: {delivered:?}"
    );
    assert_eq!(delivered[0]["type"], "alert.opened");
    assert_eq!(
        delivered[0]["data"]["url"],
        format!("/v1/alerts/{}", id(&heard["alert"])),
        "about the resident who consented"
    );

    // Consent withdrawn: the municipality no longer sees it.
    let consent = app
        .get(&format!("/v1/trajectories/{shared}/consents"), &provider)
        .await
        .json::<Value>()
        .await
        .expect("json")["items"][0]
        .clone();
    let withdrawn = app
        .post_at(
            &format!(
                "/v1/trajectories/{shared}/consents/{}/withdraw",
                id(&consent)
            ),
            &provider,
            1,
            &json!(null),
        )
        .await;
    assert_eq!(withdrawn.status(), 200);
    assert!(
        app.alerts(&nijmegen, "?rule=treatment_ended_without_followup")
            .await
            .is_empty()
    );
}
