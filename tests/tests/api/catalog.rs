//! The building-block catalog: owners keep their services and post capacity, everyone
//! searches them, and a service's measured waiting time moves as the referrals sent to it
//! are accepted and started.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

const DEN_BOSCH: &str = "gemeente:0796";

fn housing() -> Value {
    json!({
        "name": "Begeleid wonen na opname",
        "description": "Kamers met ambulante begeleiding",
        "kind": "housing",
        "serves": [DEN_BOSCH],
        "eligibility": {"minimum_age": 18, "needs_wmo_decision": true},
        "languages": ["nl", "en"],
        "stated_wait_days": 30
    })
}

async fn create(app: &TestApp, owner: &str, scope: &str, body: &Value) -> Value {
    let response = app.post("/v1/services", &token(owner, scope), body).await;
    assert_eq!(response.status(), 201, "service created");
    assert_eq!(response.headers()["etag"], "\"1\"");
    response.json().await.expect("json")
}

async fn search(app: &TestApp, query: &str) -> Vec<Value> {
    let response = app
        .get(
            &format!("/v1/services{query}"),
            &token(PROVIDER_A, "provider"),
        )
        .await;
    assert_eq!(response.status(), 200, "{query}");
    let page: Value = response.json().await.expect("json");
    page["items"].as_array().cloned().unwrap_or_default()
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn owners_keep_their_services_and_everyone_searches_them() {
    let app = TestApp::spawn().await;
    let den_bosch = token(DEN_BOSCH, "municipality");
    let service = create(&app, DEN_BOSCH, "municipality", &housing()).await;
    let sid = id(&service);
    assert_eq!(service["owner"], DEN_BOSCH);
    assert_eq!(
        service["waiting"]["to_acceptance"]["insufficient_data"],
        true
    );
    let peer = create(
        &app,
        PROVIDER_B,
        "provider",
        &json!({"name": "Ervaringsdeskundigen inloop", "kind": "peer_support",
                "serves": [DEN_BOSCH, NIJMEGEN]}),
    )
    .await;

    assert_eq!(
        search(&app, "?kind=housing&serves=gemeente:0796")
            .await
            .len(),
        1
    );
    assert_eq!(search(&app, "?serves=gemeente:0796").await.len(), 2);
    assert_eq!(search(&app, "?serves=gemeente:0268").await.len(), 1);
    assert!(search(&app, "?serves=gemeente:0363").await.is_empty());
    assert_eq!(
        search(&app, "?age=17").await.len(),
        1,
        "the housing service is 18+"
    );
    let (status, body) = problem(
        app.get("/v1/services?serves=0796", &token(PROVIDER_A, "provider"))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`serves`")
    );

    // Only the owner changes a service: another organisation finds nothing to change.
    let foreign = token(PROVIDER_A, "provider");
    let (status, _) = problem(
        app.request(Method::PUT, &format!("/v1/services/{sid}"), &foreign)
            .header("If-Match", "\"1\"")
            .json(&housing())
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(status, 404);
    let capacity = json!({"unit": "places", "available": 2, "maximum": 12});
    let (status, _) = problem(
        app.post(&format!("/v1/services/{sid}/capacity"), &foreign, &capacity)
            .await,
    )
    .await;
    assert_eq!(status, 404);

    let posted = app
        .post(
            &format!("/v1/services/{sid}/capacity"),
            &den_bosch,
            &capacity,
        )
        .await;
    assert_eq!(posted.status(), 200);
    let posted: Value = posted.json().await.expect("json");
    assert_eq!(posted["capacity"]["availability"], "yes");
    assert_eq!(posted["version"], 1, "capacity does not change the version");
    let with_room = search(&app, "?with_capacity=true").await;
    assert_eq!(with_room.len(), 1);
    assert_eq!(with_room[0]["id"], service["id"]);

    let (status, _) = problem(
        app.post(
            &format!("/v1/services/{sid}/capacity"),
            &den_bosch,
            &json!({"unit": "places", "available": 13, "maximum": 12}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "more available than the maximum");

    let mut retired = housing();
    retired["status"] = json!("defunct");
    let (status, _) = problem(
        app.request(Method::PUT, &format!("/v1/services/{sid}"), &den_bosch)
            .json(&retired)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(status, 428, "changing the record needs If-Match");
    let done = app
        .request(Method::PUT, &format!("/v1/services/{sid}"), &den_bosch)
        .header("If-Match", "\"1\"")
        .json(&retired)
        .send()
        .await
        .expect("sent");
    assert_eq!(done.status(), 200);
    assert_eq!(done.headers()["etag"], "\"2\"");
    let active = search(&app, "?status=active").await;
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["id"], peer["id"]);

    let history: Value = app
        .get(&format!("/v1/services/{sid}/history"), &foreign)
        .await
        .json()
        .await
        .expect("json");
    let changes: Vec<&str> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["change"].as_str())
        .collect();
    assert_eq!(changes, ["created", "capacity", "retired"]);
    assert_eq!(history["items"][1]["org"], DEN_BOSCH);

    let read = app
        .get(
            &format!("/v1/services/{sid}"),
            &token(NIJMEGEN, "dashboard"),
        )
        .await;
    assert_eq!(
        read.status(),
        200,
        "any authenticated organisation reads the catalog"
    );

    let (status, _) = problem(
        app.post(
            "/v1/services",
            &den_bosch,
            &json!({"name": "Nergens", "kind": "housing", "serves": []}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "a service serves at least one municipality");
}

#[tokio::test]
async fn a_services_measured_waiting_time_moves_as_its_referrals_are_accepted_and_started() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let den_bosch = token(DEN_BOSCH, "municipality");
    let sid = id(&create(&app, DEN_BOSCH, "municipality", &housing()).await);

    let mut referrals = Vec::new();
    for n in 0..5 {
        let trajectory = app
            .post(
                "/v1/trajectories",
                &provider,
                &json!({"client_ref": format!("den-bosch-{n}"), "municipality": DEN_BOSCH,
                        "started_on": "2026-01-05"}),
            )
            .await
            .json::<Value>()
            .await
            .expect("json");
        let trajectory = id(&trajectory);
        app.consent(PROVIDER_A, &trajectory, DEN_BOSCH).await;
        let referral = app
            .post(
                &format!("/v1/trajectories/{trajectory}/referrals"),
                &provider,
                &json!({"kind": "housing", "recipient": DEN_BOSCH, "service": sid,
                        "needs": "Woonruimte na opname", "client": {"name": "J. Jansen"}}),
            )
            .await;
        assert_eq!(referral.status(), 201);
        let referral: Value = referral.json().await.expect("json");
        assert_eq!(referral["service_id"], sid.as_str());
        referrals.push(id(&referral));
        if n == 0 {
            let (status, body) = problem(
                app.post(
                    &format!("/v1/trajectories/{trajectory}/referrals"),
                    &provider,
                    &json!({"kind": "housing", "recipient": NIJMEGEN, "service": sid,
                            "needs": "Woonruimte"}),
                )
                .await,
            )
            .await;
            assert_eq!(
                status, 422,
                "the service's owner must be the recipient: {body}"
            );
        }
    }

    // Ten days later Den Bosch accepts them all; the start is a week after that.
    app.clock.advance(Duration::days(10));
    let planned = (chrono::Utc::now() + Duration::days(17))
        .date_naive()
        .to_string();
    for (n, rid) in referrals.iter().enumerate() {
        assert_eq!(
            app.act(&den_bosch, rid, "acknowledge", 1, None)
                .await
                .status(),
            200
        );
        let accepted = app
            .act(
                &den_bosch,
                rid,
                "accept",
                2,
                Some(json!({"planned_start_on": planned})),
            )
            .await;
        assert_eq!(accepted.status(), 200);
        let now = waiting(&app, &sid).await;
        if n < 4 {
            assert_eq!(
                now["to_acceptance"]["insufficient_data"],
                true,
                "{} accepted: no figure below five",
                n + 1
            );
        }
    }
    let accepted = waiting(&app, &sid).await;
    assert_eq!(accepted["to_acceptance"]["insufficient_data"], false);
    assert_eq!(accepted["to_acceptance"]["measured"], 5);
    assert_eq!(accepted["to_acceptance"]["median_days"], 10.0);
    assert_eq!(accepted["to_acceptance"]["median_breaks_norm"], false);
    assert_eq!(accepted["to_start"]["insufficient_data"], true);

    app.clock.advance(Duration::days(7));
    for rid in &referrals {
        assert_eq!(
            app.act(&den_bosch, rid, "start", 3, None).await.status(),
            200
        );
    }
    let started = waiting(&app, &sid).await;
    assert_eq!(started["to_start"]["measured"], 5);
    assert_eq!(started["to_start"]["median_days"], 7.0);
    assert_eq!(started["total"]["median_days"], 17.0);
    let listed = search(
        &app,
        "?kind=housing&serves=gemeente:0796&sort=measured_wait",
    )
    .await;
    assert_eq!(listed[0]["waiting"]["to_acceptance"]["median_days"], 10.0);
}

/// The measured waiting times of service `sid` as any reader sees them.
async fn waiting(app: &TestApp, sid: &str) -> Value {
    app.get(
        &format!("/v1/services/{sid}"),
        &token(PROVIDER_A, "provider"),
    )
    .await
    .json::<Value>()
    .await
    .expect("json")["waiting"]
        .clone()
}

#[tokio::test]
async fn a_sociale_kaart_mirrors_the_catalog_through_its_feed_and_minimal_form() {
    let app = TestApp::spawn().await;
    let reader = token(NIJMEGEN, "municipality");
    let den_bosch = token(DEN_BOSCH, "municipality");
    let sid = id(&create(&app, DEN_BOSCH, "municipality", &housing()).await);
    let posted = app
        .post(
            &format!("/v1/services/{sid}/capacity"),
            &den_bosch,
            &json!({"availability": "waitlist", "stated_wait_days": 45}),
        )
        .await;
    assert_eq!(posted.status(), 200);

    let mut changes = Vec::new();
    let mut cursor = String::new();
    for _ in 0..30 {
        let path = if cursor.is_empty() {
            "/v1/services/feed?wait=2".to_owned()
        } else {
            format!("/v1/services/feed?wait=2&after={cursor}")
        };
        let page: Value = app.get(&path, &reader).await.json().await.expect("json");
        for item in page["items"].as_array().expect("items") {
            changes.push(item["change"].as_str().expect("change").to_owned());
            assert_eq!(item["service"]["id"], sid.as_str());
        }
        cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
        if changes.len() >= 2 {
            break;
        }
    }
    assert_eq!(changes, ["service_created", "service_capacity"]);
    let quiet = app
        .request(
            Method::GET,
            &format!("/v1/services/feed?after={cursor}"),
            &reader,
        )
        .header("If-None-Match", format!("\"{cursor}\""))
        .send()
        .await
        .expect("sent");
    assert_eq!(quiet.status(), 304, "nothing new");

    let minimal: Value = app
        .get("/v1/services?form=minimal", &reader)
        .await
        .json()
        .await
        .expect("json");
    let item = &minimal["items"][0];
    assert_eq!(item["id"], sid.as_str());
    assert!(item["modified"].is_string());
    assert!(item.get("name").is_none(), "only id and modified: {item}");
    let changed_since: Value = app
        .get(
            &format!(
                "/v1/services?form=minimal&modified_after={}",
                item["modified"].as_str().expect("time").replace('+', "%2B")
            ),
            &reader,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        changed_since["items"].as_array().map(Vec::len),
        Some(0),
        "nothing changed after the last change"
    );
}

/// Runs `herstelbrug catalog ARGS` against `db`; returns (success, stdout, stderr).
fn catalog_cli(db: &crate::helpers::TestDatabase, args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"))
        .arg("catalog")
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

fn hsds_service(name: &str, status: &str, area: &str) -> Value {
    json!({
        "name": name, "status": status,
        "description": "Inloop voor lotgenoten",
        "service_areas": [{"name": area}],
        "languages": [{"code": "nl"}],
        "minimum_age": 18,
        "attributes": [{"taxonomy_term": {"code": "peer_support", "taxonomy": "herstelbrug:referral-kind"}}]
    })
}

#[tokio::test]
async fn hsds_import_is_all_or_nothing_and_export_round_trips() {
    let db = crate::helpers::TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        json!({"services": [
            hsds_service("Lotgenotengroep", "active", DEN_BOSCH),
            hsds_service("Kapot", "open", "0796")
        ]})
        .to_string(),
    )
    .expect("written");
    let (ok, _, stderr) = catalog_cli(
        &db,
        &["import", bad.to_str().expect("path"), "--owner", PROVIDER_B],
    );
    assert!(!ok, "a bad record fails the import");
    assert!(
        stderr.contains("services[1]")
            && stderr.contains("status")
            && stderr.contains("nothing imported"),
        "the record and field are named: {stderr}"
    );
    assert!(
        search(&app, "").await.is_empty(),
        "nothing was half-imported"
    );

    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        json!({"services": [
            hsds_service("Lotgenotengroep", "active", DEN_BOSCH),
            hsds_service("SMART Recovery", "temporarily closed", NIJMEGEN)
        ]})
        .to_string(),
    )
    .expect("written");
    let (ok, stdout, stderr) = catalog_cli(
        &db,
        &[
            "import",
            good.to_str().expect("path"),
            "--owner",
            PROVIDER_B,
        ],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("imported 2"), "{stdout}");
    let listed = search(&app, &format!("?owner={PROVIDER_B}")).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1]["status"], "temporarily_closed");

    let (ok, exported, stderr) = catalog_cli(&db, &["export", "--owner", PROVIDER_B]);
    assert!(ok, "{stderr}");
    let exported: Value = serde_json::from_str(&exported).expect("HSDS JSON");
    let services = exported["services"].as_array().expect("services");
    assert_eq!(services.len(), 2);
    assert_eq!(services[1]["status"], "temporarily closed");
    assert_eq!(services[0]["service_areas"][0]["name"], DEN_BOSCH);
    assert_eq!(services[0]["organization_id"], PROVIDER_B);
    // What was exported imports again, for another owner.
    let again = dir.path().join("again.json");
    std::fs::write(&again, exported.to_string()).expect("written");
    let (ok, stdout, stderr) = catalog_cli(
        &db,
        &["import", again.to_str().expect("path"), "--owner", NIJMEGEN],
    );
    assert!(ok && stdout.contains("imported 2"), "{stdout} {stderr}");
}

/// Bad catalog input gets a problem naming the field and changes nothing: a capacity
/// beyond what a service can count (it was stored as null with a 200), a website that is
/// not https (a `javascript:` or `data:` link), query parameters that do not parse; and a
/// paging cursor is sealed to its query, so it can be neither forged nor reused elsewhere.
#[tokio::test]
async fn bad_catalog_input_is_named_and_cursors_are_sealed_to_their_query() {
    let app = TestApp::spawn().await;
    let den_bosch = token(DEN_BOSCH, "municipality");
    let service = create(&app, DEN_BOSCH, "municipality", &housing()).await;
    let sid = id(&service);
    let capacity_path = format!("/v1/services/{sid}/capacity");
    for (available, maximum) in [(2_u64, 3_000_000_000_u64), (3_000_000_000, 3_000_000_000)] {
        let (status, body) = problem(
            app.post(
                &capacity_path,
                &den_bosch,
                &json!({"unit": "places", "available": available, "maximum": maximum}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("capacity"),
            "{body}"
        );
    }
    let unchanged: Value = app
        .get(&format!("/v1/services/{sid}"), &den_bosch)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        unchanged["capacity"].is_null(),
        "nothing stored: {unchanged}"
    );

    for website in [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "http://example.nl",
        " https://example.nl",
    ] {
        let mut body = housing();
        body["website"] = json!(website);
        let (status, problem_body) =
            problem(app.post("/v1/services", &den_bosch, &body).await).await;
        assert_eq!(status, 422, "{website}: {problem_body}");
        assert!(
            problem_body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("website"),
            "{problem_body}"
        );
    }
    assert_eq!(search(&app, "").await.len(), 1, "no service was added");
    let mut good = housing();
    good["website"] = json!("https://example.nl/wonen");
    create(&app, DEN_BOSCH, "municipality", &good).await;

    for (query, named) in [
        ("limit=abc", "limit"),
        ("with_capacity=maybe", "with_capacity"),
        ("age=300", "age"),
        ("colour=red", "colour"),
    ] {
        let (status, body) = problem(
            app.get(
                &format!("/v1/services?{query}"),
                &token(PROVIDER_A, "provider"),
            )
            .await,
        )
        .await;
        assert!(status == 400 || status == 422, "{query}: {status}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(&format!("`{named}`")),
            "{query}: {body}"
        );
    }

    // A cursor pages its own query only.
    let provider = token(PROVIDER_A, "provider");
    let page: Value = app
        .get("/v1/services?kind=housing&limit=1", &provider)
        .await
        .json()
        .await
        .expect("json");
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let same = app
        .get(
            &format!("/v1/services?kind=housing&limit=1&after={cursor}"),
            &provider,
        )
        .await;
    assert_eq!(same.status(), 200);
    for query in [
        format!("kind=peer_support&limit=1&after={cursor}"),
        format!("kind=housing&serves={DEN_BOSCH}&after={cursor}"),
    ] {
        let (status, body) =
            problem(app.get(&format!("/v1/services?{query}"), &provider).await).await;
        assert_eq!(status, 422, "{query}: {body}");
    }
    let (status, _) = problem(
        app.get(
            &format!("/v1/services?kind=housing&after={cursor}"),
            &token(PROVIDER_B, "provider"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "another organisation's cursor");
    use base64::Engine as _;
    let forged =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("s1:id:none:{sid}"));
    let (status, _) = problem(
        app.get(
            &format!("/v1/services?kind=housing&after={forged}"),
            &provider,
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "a cursor built by hand");
}
