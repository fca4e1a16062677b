//! Organisations: informal organisations registered by the operator keep services and
//! receive referrals like any recipient; every organisation's waiting times are measured
//! over all the referrals it received, per kind, in the configured window and norms; and
//! catalog orders by waiting time hold across pages.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, TestDatabase, problem, token};

const AA: &str = "informeel:000001";
const UNREGISTERED: &str = "informeel:000002";

/// Runs `herstelbrug organisations ARGS` against `db`; returns (success, stdout, stderr).
fn organisations_cli(db: &TestDatabase, args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"))
        .arg("organisations")
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("HERSTELBRUG_MIGRATE_ON_START", "on")
        .output()
        .expect("runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn peer_group() -> Value {
    json!({"name": "AA Nijmegen, dinsdagavond", "kind": "self_help_group", "serves": [NIJMEGEN]})
}

#[tokio::test]
async fn a_registered_informal_organisation_keeps_services_and_answers_referrals() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let (ok, stdout, stderr) = organisations_cli(&db, &["register", "--name", "AA Nijmegen"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), AA, "the registry's first number");
    let (_, listed, _) = organisations_cli(&db, &["list"]);
    assert!(
        listed.contains(AA) && listed.contains("AA Nijmegen"),
        "{listed}"
    );

    let aa = token(AA, "community");
    let created = app.post("/v1/services", &aa, &peer_group()).await;
    assert_eq!(
        created.status(),
        201,
        "a registered informal organisation owns services"
    );
    let service: Value = created.json().await.expect("json");
    assert_eq!(service["owner"], AA);
    let (status, body) = problem(
        app.post(
            "/v1/services",
            &token(UNREGISTERED, "community"),
            &peer_group(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403, "an unregistered one does not: {body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(UNREGISTERED)),
        "{body}"
    );
    let (status, _) = problem(
        app.post("/v1/services", &token(AA, "municipality"), &peer_group())
            .await,
    )
    .await;
    assert_eq!(
        status, 403,
        "an informal organisation acts with scope `community` only"
    );

    let trajectory = app.register_id(PROVIDER_A, "aa-client").await;
    app.consent(PROVIDER_A, &trajectory, AA).await;
    app.consent(PROVIDER_A, &trajectory, UNREGISTERED).await;
    let (status, body) = problem(
        app.refer(PROVIDER_A, &trajectory, "self_help_group", UNREGISTERED)
            .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("`recipient`")),
        "names the field: {body}"
    );
    let referral = app
        .post(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &token(PROVIDER_A, "provider"),
            &json!({"kind": "self_help_group", "recipient": AA, "service": service["id"],
                    "needs": "Lotgenoten", "client": {"name": "J. Jansen"}}),
        )
        .await;
    assert_eq!(referral.status(), 201);
    let rid = referral.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (items, _) = app.feed_collect("inbox", &aa, None, 1).await;
    assert!(
        json!(items).to_string().contains(&rid),
        "in the group's inbox"
    );
    assert_eq!(
        app.act(&aa, &rid, "acknowledge", 1, None).await.status(),
        200
    );

    let profile: Value = app
        .get(
            &format!("/v1/organisations/{AA}"),
            &token(PROVIDER_A, "provider"),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(profile["kind"], "informal");
    assert_eq!(profile["name"], "AA Nijmegen");
    let (status, _) = problem(
        app.get(&format!("/v1/organisations/{UNREGISTERED}"), &aa)
            .await,
    )
    .await;
    assert_eq!(status, 404, "the registry does not know it");
}

/// Refers `n` clients of provider A to Nijmegen for `kind` (no catalog service) and has
/// Nijmegen accept them all `waited` days later.
async fn accepted_after(app: &TestApp, kind: &str, n: usize, waited: i64, tag: &str) {
    let nijmegen = token(NIJMEGEN, "municipality");
    let mut referrals = Vec::new();
    for i in 0..n {
        let trajectory = app.register_id(PROVIDER_A, &format!("{tag}-{i}")).await;
        app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
        let response = app.refer(PROVIDER_A, &trajectory, kind, NIJMEGEN).await;
        assert_eq!(response.status(), 201);
        referrals.push(
            response.json::<Value>().await.expect("json")["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    app.clock.advance(Duration::days(waited));
    let planned = (chrono::Utc::now() + Duration::days(waited + 30))
        .date_naive()
        .to_string();
    for rid in &referrals {
        assert_eq!(
            app.act(&nijmegen, rid, "acknowledge", 1, None)
                .await
                .status(),
            200
        );
        let accepted = app
            .act(
                &nijmegen,
                rid,
                "accept",
                2,
                Some(json!({"planned_start_on": planned})),
            )
            .await;
        assert_eq!(accepted.status(), 200);
    }
}

async fn profile(app: &TestApp, org: &str) -> Value {
    let response = app
        .get(
            &format!("/v1/organisations/{org}"),
            &token(PROVIDER_A, "provider"),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

#[tokio::test]
async fn a_recipients_waiting_times_cover_every_referral_it_received_in_the_configured_window() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    accepted_after(&app, "wmo_support", 5, 6, "wmo").await;
    accepted_after(&app, "income_and_debt", 3, 2, "debt").await;

    let nijmegen = profile(&app, NIJMEGEN).await;
    assert_eq!(nijmegen["kind"], "municipality");
    assert_eq!(nijmegen["name"], Value::Null);
    let overall = &nijmegen["waiting_times"]["to_acceptance"];
    // Five wmo_support referrals waited 6 days, then three debt referrals 2 days.
    assert_eq!(overall["measured"], 8, "{nijmegen}");
    let by_kind = nijmegen["waiting_times_by_kind"].as_array().expect("kinds");
    let kind = |k: &str| {
        by_kind
            .iter()
            .find(|v| v["kind"] == k)
            .map(|v| v["waiting_times"]["to_acceptance"].clone())
            .expect("kind present")
    };
    assert_eq!(kind("wmo_support")["median_days"], 6.0);
    assert_eq!(
        kind("income_and_debt")["insufficient_data"],
        true,
        "3 < 5: withheld"
    );
    assert_eq!(
        profile(&app, PROVIDER_A).await["waiting_times"]["to_acceptance"]["insufficient_data"],
        true
    );

    // The same referrals, held to a stricter norm and a shorter window by configuration.
    let strict = TestApp::spawn_on_with(&db, |c| c.norm_to_acceptance_days = 5).await;
    strict.clock.advance(Duration::days(8));
    let held = profile(&strict, NIJMEGEN).await;
    assert_eq!(
        held["waiting_times"]["to_acceptance"]["median_breaks_norm"], true,
        "{held}"
    );
    assert_eq!(
        nijmegen["waiting_times"]["to_acceptance"]["median_breaks_norm"],
        false
    );
    let short = TestApp::spawn_on_with(&db, |c| c.waiting_window_days = 1).await;
    short.clock.advance(Duration::days(8 + 3));
    let gone = profile(&short, NIJMEGEN).await;
    assert_eq!(
        gone["waiting_times"]["to_acceptance"]["insufficient_data"], true,
        "{gone}"
    );
}

#[tokio::test]
async fn sorting_by_waiting_time_holds_across_pages() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    for wait in [Some(50), Some(10), None, Some(30), Some(20)] {
        let mut body =
            json!({"name": format!("Wonen {wait:?}"), "kind": "housing", "serves": [NIJMEGEN]});
        if let Some(days) = wait {
            body["stated_wait_days"] = json!(days);
        }
        assert_eq!(
            app.post("/v1/services", &nijmegen, &body).await.status(),
            201
        );
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..5 {
        let path = match &after {
            Some(c) => format!("/v1/services?sort=stated_wait&limit=2&after={c}"),
            None => "/v1/services?sort=stated_wait&limit=2".to_owned(),
        };
        let page: Value = app.get(&path, &nijmegen).await.json().await.expect("json");
        for item in page["items"].as_array().expect("items") {
            seen.push(item["stated_wait_days"].clone());
        }
        after = page["next_cursor"].as_str().map(str::to_owned);
        if after.is_none() {
            break;
        }
    }
    assert_eq!(
        seen,
        vec![json!(10), json!(20), json!(30), json!(50), Value::Null],
        "the first page holds the shortest waits of all, none stated last"
    );
    let first: Value = app
        .get("/v1/services?sort=stated_wait&limit=2", &nijmegen)
        .await
        .json()
        .await
        .expect("json");
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let (status, body) = problem(
        app.get(
            &format!("/v1/services?sort=measured_wait&after={cursor}"),
            &nijmegen,
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "a cursor holds only for its own order: {body}");
}
