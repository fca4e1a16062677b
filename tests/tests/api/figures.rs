//! Continuity figures against counts worked out by hand: endings with and without
//! follow-up, the share, gap alerts, waiting and days to follow-up, small cells withheld
//! with their complements, each dashboard's scope, and refused parameters.

use chrono::{Datelike, Duration};
use herstelbrug_api::clock::Clock as _;
use serde_json::{Value, json};

use crate::helpers::{AMSTERDAM, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

async fn register(app: &TestApp, client: &str, municipality: &str) -> String {
    let response = app
        .post(
            "/v1/trajectories",
            &token(PROVIDER_A, "provider"),
            &json!({"client_ref": client, "municipality": municipality, "started_on": "2026-01-05"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    id(&response.json().await.expect("json"))
}

/// Provider A: six Nijmegen clients whose treatment closes with an accepted housing
/// referral, five closing without follow-up, one Amsterdam client dropping out. Returns
/// the six referrals and every trajectory.
async fn scenario(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let mut referrals = Vec::new();
    let mut trajectories = Vec::new();
    for n in 0..6 {
        let t = register(app, &format!("met-{n}"), NIJMEGEN).await;
        app.consent(PROVIDER_A, &t, NIJMEGEN).await;
        let rid = id(&app
            .refer(PROVIDER_A, &t, "housing", NIJMEGEN)
            .await
            .json()
            .await
            .expect("json"));
        assert_eq!(
            app.act(&nijmegen, &rid, "acknowledge", 1, None)
                .await
                .status(),
            200
        );
        let start = (app.clock.now() + Duration::days(10))
            .date_naive()
            .to_string();
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
        app.transition_ok(
            &provider,
            &t,
            1,
            &json!({"to": "closed", "reason": "planned_completion"}),
        )
        .await;
        referrals.push(rid);
        trajectories.push(t);
    }
    for n in 0..5 {
        let t = register(app, &format!("zonder-{n}"), NIJMEGEN).await;
        app.transition_ok(
            &provider,
            &t,
            1,
            &json!({"to": "closed", "reason": "planned_completion"}),
        )
        .await;
        trajectories.push(t);
    }
    let t = register(app, "uitval", AMSTERDAM).await;
    app.transition_ok(
        &provider,
        &t,
        1,
        &json!({"to": "social_support", "reason": "dropout"}),
    )
    .await;
    trajectories.push(t);
    (referrals, trajectories)
}

async fn figures(app: &TestApp, org: &str, scope: &str, query: &str) -> Value {
    let response = app
        .get(
            &format!("/v1/figures/continuity{query}"),
            &token(org, scope),
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "{body}");
    body
}

fn count(cell: &Value) -> Option<u64> {
    assert_eq!(
        cell["suppressed"],
        cell["value"].is_null() && cell["suppressed"] == true
    );
    cell["value"].as_u64()
}

fn hidden(cell: &Value) -> bool {
    cell["value"].is_null() && cell["suppressed"] == true
}

fn group<'a>(body: &'a Value, key: &str) -> &'a Value {
    body["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == key)
        .unwrap_or_else(|| panic!("no group {key} in {body}"))
}

#[tokio::test]
async fn figures_match_the_counts_worked_out_by_hand() {
    let app = TestApp::spawn().await;
    let ended = app.clock.now().date_naive();
    let (referrals, trajectories) = scenario(&app).await;
    // Ten days on, five of the six follow-ups start; the sixth is cancelled.
    app.clock.advance(Duration::days(10));
    let nijmegen = token(NIJMEGEN, "municipality");
    for rid in &referrals[..5] {
        assert_eq!(
            app.act(&nijmegen, rid, "start", 3, None).await.status(),
            200
        );
    }
    let cancelled = app
        .act(
            &token(PROVIDER_A, "provider"),
            &referrals[5],
            "cancel",
            3,
            Some(json!({"reason": "Cliënt verhuisd"})),
        )
        .await;
    assert_eq!(
        cancelled.status(),
        200,
        "{}",
        cancelled.text().await.unwrap_or_default()
    );
    let from = format!("{}-{:02}", ended.year(), ended.month());
    let query = format!("?from={from}&group_by=municipality");

    let body = figures(&app, PROVIDER_A, "dashboard", &query).await;
    assert_eq!(body["scope"], PROVIDER_A);
    assert_eq!(body["periods"][0], from);
    let total = &body["total"]["whole_range"]["trajectories"];
    // 12 endings, 6 with follow-up accepted when they ended (the one cancelled later
    // still counts: it was in place at the time): a share of 0.5.
    assert_eq!(count(&total["endings"]), Some(12));
    assert_eq!(count(&total["endings_with_follow_up"]), Some(6));
    assert_eq!(total["share_with_follow_up"]["value"], 0.5);
    // Gap alerts: five closures without follow-up, and the dropout's two rules.
    assert_eq!(count(&total["gap_alerts"]), Some(7));
    // One dropout: withheld.
    assert!(hidden(&total["dropouts"]));
    // Amsterdam's one ending is withheld, and Nijmegen's 11 with it (12 - 11 would give
    // Amsterdam's away); the zero of follow-up in Amsterdam is shown.
    let nijmegen_figures = &group(&body, NIJMEGEN)["whole_range"]["trajectories"];
    let amsterdam_figures = &group(&body, AMSTERDAM)["whole_range"]["trajectories"];
    assert!(hidden(&amsterdam_figures["endings"]));
    assert!(hidden(&nijmegen_figures["endings"]));
    assert!(hidden(&nijmegen_figures["share_with_follow_up"]));
    assert_eq!(count(&amsterdam_figures["endings_with_follow_up"]), Some(0));
    assert_eq!(count(&nijmegen_figures["endings_with_follow_up"]), Some(6));

    let referral_figures = &body["total"]["whole_range"]["referrals"];
    assert_eq!(count(&referral_figures["accepted"]), Some(5));
    assert!(hidden(&referral_figures["cancelled"]));
    assert_eq!(count(&referral_figures["failed"]), Some(0));
    // Accepted the day they were asked: 0 days, all within the Treeknorm of 28.
    assert_eq!(
        count(&referral_figures["to_acceptance"]["measured"]),
        Some(5)
    );
    assert_eq!(
        referral_figures["to_acceptance"]["median_days"]["value"],
        0.0
    );
    assert_eq!(
        referral_figures["to_acceptance"]["within_norm"]["value"],
        1.0
    );
    assert_eq!(referral_figures["to_acceptance"]["norm_days"], 28);
    // Treatment ended, follow-up started ten days later, five times.
    assert_eq!(
        count(&referral_figures["days_to_follow_up"]["measured"]),
        Some(5)
    );
    assert_eq!(
        referral_figures["days_to_follow_up"]["median_days"]["value"],
        10.0
    );
    assert_eq!(
        referral_figures["days_to_follow_up"]["p80_days"]["value"],
        10.0
    );
    assert_eq!(referral_figures["total_wait"]["median_days"]["value"], 10.0);

    // Open now: Nijmegen's 5 and Amsterdam's 2 gap alerts; 2 withheld, 5 with it.
    assert_eq!(count(&body["open_gaps"]["total"]), Some(7));
    assert!(
        body["open_gaps"]["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .all(|g| hidden(&g["count"]))
    );

    // No figure carries a client id.
    let text = body.to_string();
    for t in &trajectories {
        assert!(!text.contains(t.as_str()));
    }
    assert!(!text.contains("zonder-") && !text.contains("met-"));

    // An administrator sees the same totals; by kind, housing carries the referrals and
    // the trajectory-wide figures stay in the total.
    let admin = figures(
        &app,
        "agb:00000001",
        "admin",
        &format!("?from={from}&group_by=kind"),
    )
    .await;
    assert_eq!(admin["scope"], "all");
    assert_eq!(
        count(&admin["total"]["whole_range"]["trajectories"]["endings"]),
        Some(12)
    );
    let housing = group(&admin, "housing");
    assert!(housing["whole_range"].get("trajectories").is_none());
    assert_eq!(
        count(&housing["whole_range"]["referrals"]["accepted"]),
        Some(5)
    );
}

#[tokio::test]
async fn each_dashboard_sees_its_own_organisation() {
    let app = TestApp::spawn().await;
    scenario(&app).await;
    // Nijmegen's residents: 11 endings, 6 with follow-up, 5 gap alerts open.
    let nijmegen = figures(&app, NIJMEGEN, "dashboard", "").await;
    assert_eq!(nijmegen["scope"], NIJMEGEN);
    let total = &nijmegen["total"]["whole_range"]["trajectories"];
    assert_eq!(count(&total["endings"]), Some(11));
    assert_eq!(total["share_with_follow_up"]["value"], 0.545);
    assert_eq!(count(&total["gap_alerts"]), Some(5));
    assert_eq!(count(&nijmegen["open_gaps"]["total"]), Some(5));
    // Amsterdam's one resident who ended: withheld.
    let amsterdam = figures(&app, AMSTERDAM, "dashboard", "").await;
    assert!(hidden(
        &amsterdam["total"]["whole_range"]["trajectories"]["endings"]
    ));
    // Provider B has no trajectories: zeros, no groups.
    let other = figures(&app, PROVIDER_B, "dashboard", "").await;
    assert_eq!(
        count(&other["total"]["whole_range"]["trajectories"]["endings"]),
        Some(0)
    );
    assert_eq!(other["groups"], json!([]));
    // The default range: the last twelve months.
    assert_eq!(other["periods"].as_array().map(Vec::len), Some(12));
}

#[tokio::test]
async fn refused_parameters_name_the_field_and_others_may_not_read() {
    let app = TestApp::spawn().await;
    let dashboard = token(NIJMEGEN, "dashboard");
    let next_year = app.clock.now().year() + 1;
    for (query, field) in [
        ("?interval=week".to_owned(), "interval"),
        ("?group_by=client".to_owned(), "group_by"),
        ("?from=2026-13".to_owned(), "from"),
        ("?interval=quarter&from=2026-11".to_owned(), "from"),
        (format!("?to={next_year}-12"), "to"),
        ("?from=2020-01".to_owned(), "from"),
    ] {
        let (status, body) = problem(
            app.get(&format!("/v1/figures/continuity{query}"), &dashboard)
                .await,
        )
        .await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(&format!("`{field}`")),
            "{query}: {body}"
        );
    }
    let (status, _) = problem(app.get("/v1/figures/continuity?client=1", &dashboard).await).await;
    assert_eq!(status, 400);
    let (status, _) = problem(
        app.get("/v1/figures/continuity", &token(PROVIDER_A, "provider"))
            .await,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn folding_the_deltas_into_cells_changes_no_figure() {
    let db = crate::helpers::TestDatabase::fresh().await;
    // No scheduler: every count stays a delta until this test folds it.
    let app = TestApp::spawn_on_with(&db, |c| c.scheduler = "off".to_owned()).await;
    scenario(&app).await;
    let read = || async {
        let mut body = figures(
            &app,
            "agb:00000001",
            "admin",
            "?interval=quarter&group_by=provider",
        )
        .await;
        body["generated_at"] = Value::Null;
        body
    };
    let before = read().await;
    let store = herstelbrug_persistence::FiguresStore::new(
        herstelbrug_persistence::connect(db.url(), 2)
            .await
            .expect("connects")
            .conn,
    );
    let mut folded = 0;
    loop {
        let n = store.fold(7).await.expect("folds");
        if n == 0 {
            break;
        }
        folded += n;
    }
    assert!(folded > 20, "only {folded} deltas");
    assert_eq!(read().await, before);
    assert_eq!(
        count(&before["total"]["whole_range"]["trajectories"]["endings"]),
        Some(12)
    );
}
