//! Continuity figures against counts worked out by hand: endings with and without
//! follow-up, the share, gap alerts, waiting and days to follow-up, every finest cell
//! rounded to base 5 with the server's keyed draw (worked out here with the test key),
//! each dashboard's scope, the differencing attacks of issue 29, and refused parameters.

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

/// What the server publishes for a finest cell of provider A holding `n`: rounded to base
/// 5 with the draw the test server's key gives it.
fn rounded(n: u64, month: i32, municipality: &str, kind: &str, figure: &str, detail: &str) -> u64 {
    let key =
        herstelbrug_api::bsn_vault::figures_rounding_key(crate::helpers::BSN_SECRET.as_bytes())
            .expect("key");
    let cell = herstelbrug_domain::figures::FineCell {
        municipality: municipality.to_owned(),
        provider: PROVIDER_A.to_owned(),
        kind: kind.to_owned(),
        service: String::new(),
    };
    let draw =
        herstelbrug_persistence::figures::store::draw(&key, &cell.identity(month, figure, detail));
    herstelbrug_domain::figures::rounding::round(n, draw)
}

fn yyyymm(date: chrono::NaiveDate) -> i32 {
    date.year() * 100 + i32::try_from(date.month()).unwrap_or(0)
}

/// A share as the API writes it, from two published counts.
fn share(with: u64, of: u64) -> Value {
    if of < 10 {
        Value::Null
    } else {
        json!(((with as f64 / of as f64).min(1.0) * 1000.0).round() / 1000.0)
    }
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
    assert_eq!(body["rounded_to"], 5);
    let m = yyyymm(ended);
    let total = &body["total"]["whole_range"]["trajectories"];
    // 12 endings: Nijmegen's cell of 11 and Amsterdam's of 1, each rounded; 6 with
    // follow-up accepted when they ended (the one cancelled later still counts).
    let endings_nijmegen = rounded(11, m, NIJMEGEN, "", "ending", "");
    let endings_amsterdam = rounded(1, m, AMSTERDAM, "", "ending", "");
    let with = rounded(6, m, NIJMEGEN, "", "ending_with_follow_up", "");
    assert_eq!(
        count(&total["endings"]),
        Some(endings_nijmegen + endings_amsterdam)
    );
    assert_eq!(count(&total["endings_with_follow_up"]), Some(with));
    assert_eq!(
        total["share_with_follow_up"]["value"],
        share(with, endings_nijmegen + endings_amsterdam)
    );
    // Gap alerts: five closures without follow-up (a multiple of 5 stays), and the
    // dropout's two rules, one each.
    let gaps =
        5 + rounded(
            1,
            m,
            AMSTERDAM,
            "",
            "alert_opened",
            "treatment_ended_without_followup",
        ) + rounded(
            1,
            m,
            AMSTERDAM,
            "",
            "alert_opened",
            "dropout_without_outreach",
        );
    assert_eq!(count(&total["gap_alerts"]), Some(gaps));
    assert_eq!(
        count(&total["dropouts"]),
        Some(rounded(1, m, AMSTERDAM, "", "dropout", ""))
    );
    // Groups are sums of the same cells: they add up to the total. A group whose counts
    // all round to 0 is not listed (listing it would tell that someone is in it).
    let nijmegen_figures = &group(&body, NIJMEGEN)["whole_range"]["trajectories"];
    assert_eq!(count(&nijmegen_figures["endings"]), Some(endings_nijmegen));
    assert_eq!(
        count(&nijmegen_figures["endings_with_follow_up"]),
        Some(with)
    );
    let amsterdam_counts =
        gaps - 5 + endings_amsterdam + rounded(1, m, AMSTERDAM, "", "dropout", "");
    let amsterdam = body["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == AMSTERDAM);
    assert_eq!(amsterdam.is_some(), amsterdam_counts > 0, "{body}");
    if let Some(amsterdam) = amsterdam {
        let amsterdam_figures = &amsterdam["whole_range"]["trajectories"];
        assert_eq!(
            count(&amsterdam_figures["endings"]),
            Some(endings_amsterdam)
        );
        assert_eq!(count(&amsterdam_figures["endings_with_follow_up"]), Some(0));
        assert!(
            amsterdam_figures["share_with_follow_up"]["value"].is_null(),
            "none, or below 10"
        );
    }

    let referral_figures = &body["total"]["whole_range"]["referrals"];
    assert_eq!(count(&referral_figures["accepted"]), Some(5));
    assert_eq!(
        count(&referral_figures["cancelled"]),
        Some(rounded(1, m, NIJMEGEN, "housing", "referral_cancelled", ""))
    );
    assert_eq!(count(&referral_figures["failed"]), Some(0));
    // Five measured of each: shown as counts, too few for a median (10 needed).
    assert_eq!(
        count(&referral_figures["to_acceptance"]["measured"]),
        Some(5)
    );
    assert!(hidden(&referral_figures["to_acceptance"]["median_days"]));
    assert!(hidden(&referral_figures["to_acceptance"]["within_norm"]));
    assert_eq!(referral_figures["to_acceptance"]["norm_days"], 28);
    assert_eq!(
        count(&referral_figures["days_to_follow_up"]["measured"]),
        Some(5)
    );
    assert!(hidden(
        &referral_figures["days_to_follow_up"]["median_days"]
    ));

    // Open now: Nijmegen's 5 and Amsterdam's 2 gap alerts, each cell rounded.
    let open_amsterdam = rounded(2, 0, AMSTERDAM, "", "open_gaps", "");
    assert_eq!(count(&body["open_gaps"]["total"]), Some(5 + open_amsterdam));
    assert_eq!(count(group_count(&body["open_gaps"], NIJMEGEN)), Some(5));
    assert_eq!(
        count(group_count(&body["open_gaps"], AMSTERDAM)),
        Some(open_amsterdam)
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
        Some(endings_nijmegen + endings_amsterdam)
    );
    let housing = group(&admin, "housing");
    assert!(housing["whole_range"].get("trajectories").is_none());
    assert_eq!(
        count(&housing["whole_range"]["referrals"]["accepted"]),
        Some(5)
    );
}

fn group_count<'a>(open_gaps: &'a Value, key: &str) -> &'a Value {
    &open_gaps["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == key)
        .unwrap_or_else(|| panic!("no group {key} in {open_gaps}"))["count"]
}

#[tokio::test]
async fn each_dashboard_sees_its_own_organisation() {
    let app = TestApp::spawn().await;
    let m = yyyymm(app.clock.now().date_naive());
    scenario(&app).await;
    // Nijmegen's residents: 11 endings, 6 with follow-up, 5 gap alerts open.
    let nijmegen = figures(&app, NIJMEGEN, "dashboard", "").await;
    assert_eq!(nijmegen["scope"], NIJMEGEN);
    let total = &nijmegen["total"]["whole_range"]["trajectories"];
    let endings = rounded(11, m, NIJMEGEN, "", "ending", "");
    let with = rounded(6, m, NIJMEGEN, "", "ending_with_follow_up", "");
    assert_eq!(count(&total["endings"]), Some(endings));
    assert_eq!(total["share_with_follow_up"]["value"], share(with, endings));
    assert_eq!(count(&total["gap_alerts"]), Some(5));
    assert_eq!(count(&nijmegen["open_gaps"]["total"]), Some(5));
    // Amsterdam's one resident who ended: its cell, rounded (0 or 5, never 1).
    let amsterdam = figures(&app, AMSTERDAM, "dashboard", "").await;
    assert_eq!(
        count(&amsterdam["total"]["whole_range"]["trajectories"]["endings"]),
        Some(rounded(1, m, AMSTERDAM, "", "ending", ""))
    );
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

/// The attacks of issue 29 against the live API: two ranges sharing their start, a
/// total against each grouping's groups, and endings against their parts within one
/// answer. Every count an attacker derives is a multiple of 5, never 1 to 4, and a cell
/// reads the same in every answer.
#[tokio::test]
async fn differencing_answers_recovers_no_small_count() {
    let app = TestApp::spawn().await;
    let now = app.clock.now().date_naive();
    scenario(&app).await;
    let this_month = format!("{}-{:02}", now.year(), now.month());
    let earlier = now - Duration::days(62);
    let from = format!("{}-{:02}", earlier.year(), earlier.month());
    let admin = |query: String| {
        let app = &app;
        async move { figures(app, "agb:00000001", "admin", &query).await }
    };
    // A group whose counts all round to 0 is not listed: it counts 0.
    let endings = |body: &Value, of: Option<&str>| -> i64 {
        let series = match of {
            Some(g) => match body["groups"]
                .as_array()
                .expect("groups")
                .iter()
                .find(|s| s["group"] == g)
            {
                Some(series) => series,
                None => return 0,
            },
            None => &body["total"],
        };
        series["whole_range"]["trajectories"]["endings"]["value"]
            .as_i64()
            .expect("a count")
    };
    let mut derived = Vec::new();
    let a = admin(format!("?from={from}&to={from}&group_by=municipality")).await;
    let ab = admin(format!(
        "?from={from}&to={this_month}&group_by=municipality"
    ))
    .await;
    let by_provider = admin(format!("?from={from}&to={this_month}&group_by=provider")).await;
    let quarterly = admin(format!("?from={from}&to={this_month}")).await;
    derived.push(endings(&ab, None) - endings(&a, None));
    for g in [NIJMEGEN, AMSTERDAM] {
        derived.push(endings(&ab, None) - endings(&ab, Some(g)));
    }
    derived.push(endings(&ab, None) - endings(&by_provider, Some(PROVIDER_A)));
    derived.push(endings(&quarterly, None) - endings(&ab, None));
    let t = &ab["total"]["whole_range"]["trajectories"];
    let part = |k: &str| t[k]["value"].as_i64().expect("a count");
    derived.push(
        part("endings") - part("endings_with_follow_up") - part("endings_no_follow_up_needed"),
    );
    derived.push(part("gap_alerts") - part("dropouts"));
    for x in derived {
        assert_eq!(x.rem_euclid(5), 0, "{x}");
        assert!(!(1..5).contains(&x), "{x} gives a small count away");
    }
    // Amsterdam's cell reads the same in each answer that holds it.
    assert_eq!(
        endings(&ab, Some(AMSTERDAM)),
        endings(
            &admin(format!("?to={this_month}&group_by=municipality")).await,
            Some(AMSTERDAM)
        )
    );
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
    // It folds as the server does: with the server's rounding key.
    let key =
        herstelbrug_api::bsn_vault::figures_rounding_key(crate::helpers::BSN_SECRET.as_bytes())
            .expect("key");
    let store = herstelbrug_persistence::FiguresStore::new(
        herstelbrug_persistence::connect(db.url(), 2)
            .await
            .expect("connects")
            .conn,
    )
    .with_rounding_key(key);
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
    let m = yyyymm(app.clock.now().date_naive());
    assert_eq!(
        count(&before["total"]["whole_range"]["trajectories"]["endings"]),
        Some(
            rounded(11, m, NIJMEGEN, "", "ending", "") + rounded(1, m, AMSTERDAM, "", "ending", "")
        )
    );
}
