//! The FHIR R4 views: referrals as Task (each party its own view, never the BSN),
//! trajectories as EpisodeOfCare, services as HealthcareService; read and search with
//! the same tokens and rules as `/v1`, errors as OperationOutcome, every access logged.
//! Schema validity against the official R4 schema is checked by `.ci/fhir.sh`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{AMSTERDAM, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, token};

const EHR_TASK: &str = "https://ehr.example.nl/fhir/Task";
const IWMO: &str = "https://nijmegen.example.nl/iwmo/toewijzing";

async fn fhir(app: &TestApp, path: &str, who: Option<&str>) -> (u16, Value) {
    let mut request = app.client.get(app.url(path));
    if let Some(who) = who {
        request = request.bearer_auth(who);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        kind.starts_with("application/fhir+json"),
        "{path}: content type {kind}"
    );
    (status, response.json().await.expect("json"))
}

fn entries(bundle: &Value) -> Vec<Value> {
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "searchset");
    bundle["entry"]
        .as_array()
        .map(|e| e.iter().map(|e| e["resource"].clone()).collect())
        .unwrap_or_default()
}

fn ids(bundle: &Value) -> Vec<String> {
    entries(bundle)
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A trajectory of provider A (with a BSN) referred to Nijmegen, with the EHR's Task id.
async fn referred(app: &TestApp, client: &str, bsn: &str) -> (String, String) {
    let a = token(PROVIDER_A, "provider");
    let created = app
        .post(
            "/v1/trajectories",
            &a,
            &json!({"client_ref": client, "municipality": NIJMEGEN, "started_on": "2026-01-05",
                    "bsn": bsn}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let trajectory = created.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let referral = app
        .post(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &a,
            &json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "Zoekt woonruimte",
                    "client": {"name": "J. Jansen", "phone": "06-12345678"},
                    "identifiers": [{"system": EHR_TASK, "value": format!("task-{client}")}]}),
        )
        .await;
    assert_eq!(referral.status(), 201);
    let referral = referral.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    (trajectory, referral)
}

#[tokio::test]
async fn a_referral_reads_as_a_task_each_party_its_own_view_and_never_the_bsn() {
    let app = TestApp::spawn().await;
    let (_, referral) = referred(&app, "fhir-task", "111222333").await;
    let m = token(NIJMEGEN, "municipality");
    let put = app
        .request(
            Method::PUT,
            &format!("/v1/referrals/{referral}/identifiers"),
            &m,
        )
        .json(&json!({"items": [{"system": IWMO, "value": "TW-1"}]}))
        .send()
        .await
        .expect("sent");
    assert_eq!(put.status(), 200);

    let path = format!("/fhir/Task/{referral}");
    let (status, requester) = fhir(&app, &path, Some(&token(PROVIDER_A, "provider"))).await;
    assert_eq!(status, 200, "{requester}");
    assert_eq!(requester["resourceType"], "Task");
    assert_eq!(requester["status"], "requested");
    assert_eq!(requester["intent"], "order");
    assert_eq!(
        requester["businessStatus"]["coding"][0]["code"],
        "requested"
    );
    assert_eq!(requester["owner"]["identifier"]["value"], "0268");
    assert_eq!(
        requester["requester"]["identifier"]["system"],
        "http://fhir.nl/fhir/NamingSystem/agb-z"
    );
    assert_eq!(requester["for"]["identifier"]["value"], "fhir-task");
    assert_eq!(requester["identifier"][0]["system"], EHR_TASK);
    assert_eq!(requester["meta"]["versionId"], "1");
    // FHIR's conditional read: the version the caller holds answers 304.
    let again = app
        .client
        .get(app.url(&path))
        .bearer_auth(token(PROVIDER_A, "provider"))
        .header("If-None-Match", "W/\"1\"")
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), 304);
    assert_eq!(
        again.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("W/\"1\"")
    );

    let (_, recipient) = fhir(&app, &path, Some(&m)).await;
    assert_eq!(
        recipient["for"],
        json!({"type": "Patient", "display": "J. Jansen"})
    );
    assert_eq!(
        recipient["identifier"][0]["value"], "TW-1",
        "its own id only"
    );
    assert_eq!(recipient["identifier"].as_array().map(Vec::len), Some(1));
    for view in [&requester, &recipient] {
        let text = view.to_string();
        assert!(!text.contains("111222333"), "a BSN in {text}");
        assert!(
            !text.contains("06-12345678"),
            "contact details before acceptance"
        );
    }

    // Acknowledged and under assessment are both `received`; businessStatus tells them apart.
    let acked = app.act(&m, &referral, "acknowledge", 1, None).await;
    assert_eq!(acked.status(), 200);
    let assessed = app.act(&m, &referral, "assess", 2, None).await;
    assert_eq!(assessed.status(), 200);
    let (_, assessing) = fhir(&app, &path, Some(&m)).await;
    assert_eq!(assessing["status"], "received");
    assert_eq!(
        assessing["businessStatus"]["coding"][0]["code"],
        "under_assessment"
    );
    let rejected = app
        .act(
            &m,
            &referral,
            "reject",
            3,
            Some(json!({"reason_code": "no_capacity", "reason": "Wachtlijst vol"})),
        )
        .await;
    assert_eq!(rejected.status(), 200);
    let (_, seen_by_a) = fhir(&app, &path, Some(&token(PROVIDER_A, "provider"))).await;
    assert_eq!(seen_by_a["status"], "rejected");
    assert_eq!(
        seen_by_a["statusReason"]["coding"][0]["code"],
        "no_capacity"
    );
    assert_eq!(seen_by_a["statusReason"]["text"], "Wachtlijst vol");
    let (_, closed_for_m) = fhir(&app, &path, Some(&m)).await;
    assert!(
        closed_for_m.get("for").is_none(),
        "nothing personal once closed"
    );
    assert!(closed_for_m.get("description").is_none());

    for outsider in [
        token(PROVIDER_B, "provider"),
        token(AMSTERDAM, "municipality"),
    ] {
        let (status, outcome) = fhir(&app, &path, Some(&outsider)).await;
        assert_eq!(status, 404);
        assert_eq!(outcome["resourceType"], "OperationOutcome");
        assert_eq!(outcome["issue"][0]["code"], "not-found");
    }
}

#[tokio::test]
async fn tasks_are_searched_by_id_identifier_owner_status_and_last_update_in_pages() {
    let app = TestApp::spawn().await;
    let a = token(PROVIDER_A, "provider");
    let m = token(NIJMEGEN, "municipality");
    let (_, first) = referred(&app, "fhir-s1", "123456782").await;
    let (_, second) = referred(&app, "fhir-s2", "111222333").await;
    let acked = app.act(&m, &second, "acknowledge", 1, None).await;
    assert_eq!(acked.status(), 200);
    let (_, other) = {
        let b = token(PROVIDER_B, "provider");
        let t = app.register_id(PROVIDER_B, "fhir-b").await;
        app.consent(PROVIDER_B, &t, AMSTERDAM).await;
        let r = app.refer(PROVIDER_B, &t, "housing", AMSTERDAM).await;
        assert_eq!(r.status(), 201);
        let _ = b;
        (
            t,
            r.json::<Value>().await.expect("json")["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        )
    };

    let (_, all) = fhir(&app, "/fhir/Task", Some(&a)).await;
    assert_eq!(ids(&all), vec![first.clone(), second.clone()]);
    let (_, received) = fhir(&app, "/fhir/Task?status=received", Some(&m)).await;
    assert_eq!(ids(&received), vec![second.clone()]);
    let (_, either) = fhir(&app, "/fhir/Task?status=requested,received", Some(&m)).await;
    assert_eq!(ids(&either).len(), 2);
    let (_, draft) = fhir(&app, "/fhir/Task?status=draft", Some(&a)).await;
    assert!(ids(&draft).is_empty());
    let (_, by_id) = fhir(&app, &format!("/fhir/Task?_id={first},{other}"), Some(&a)).await;
    assert_eq!(ids(&by_id), vec![first.clone()], "never another's referral");
    let (_, by_identifier) = fhir(
        &app,
        &format!("/fhir/Task?identifier={EHR_TASK}|task-fhir-s2"),
        Some(&a),
    )
    .await;
    assert_eq!(ids(&by_identifier), vec![second.clone()]);
    let (_, not_theirs) = fhir(
        &app,
        &format!("/fhir/Task?identifier={EHR_TASK}|task-fhir-s2"),
        Some(&m),
    )
    .await;
    assert!(
        ids(&not_theirs).is_empty(),
        "identifiers are per organisation"
    );
    let (_, owned) = fhir(
        &app,
        "/fhir/Task?owner:identifier=https://herstelbrug.nl/fhir/NamingSystem/gemeentecode|0268",
        Some(&a),
    )
    .await;
    assert_eq!(ids(&owned).len(), 2);
    let (_, elsewhere) = fhir(&app, &format!("/fhir/Task?owner={AMSTERDAM}"), Some(&a)).await;
    assert!(ids(&elsewhere).is_empty());
    let (_, future) = fhir(&app, "/fhir/Task?_lastUpdated=gt2100-01-01", Some(&a)).await;
    assert!(ids(&future).is_empty());
    let (_, past) = fhir(&app, "/fhir/Task?_lastUpdated=ge2026-01-01", Some(&a)).await;
    assert_eq!(ids(&past).len(), 2);

    let (_, page) = fhir(&app, "/fhir/Task?_count=1", Some(&a)).await;
    assert_eq!(ids(&page), vec![first.clone()]);
    let next = page["link"]
        .as_array()
        .and_then(|links| links.iter().find(|l| l["relation"] == "next"))
        .and_then(|l| l["url"].as_str())
        .expect("a next link")
        .to_owned();
    let next_path = next
        .split_once("/fhir/")
        .map(|(_, p)| format!("/fhir/{p}"))
        .expect("path");
    let (_, rest) = fhir(&app, &next_path, Some(&a)).await;
    assert_eq!(ids(&rest), vec![second.clone()]);
    assert!(
        rest["link"]
            .as_array()
            .expect("links")
            .iter()
            .all(|l| l["relation"] != "next")
    );

    for (bad, named) in [
        ("/fhir/Task?stauts=requested", "stauts"),
        ("/fhir/Task?status=under_assessment", "status"),
        ("/fhir/Task?_lastUpdated=yesterday", "_lastUpdated"),
        ("/fhir/Task?_count=0", "_count"),
        ("/fhir/Task?owner=somewhere", "owner"),
        ("/fhir/Task?_id=42", "_id"),
    ] {
        let (status, outcome) = fhir(&app, bad, Some(&a)).await;
        assert_eq!(status, 400, "{bad}: {outcome}");
        assert_eq!(outcome["resourceType"], "OperationOutcome");
        let said = outcome["issue"][0]["diagnostics"]
            .as_str()
            .unwrap_or_default();
        assert!(said.contains(named), "{bad}: {said}");
    }
}

#[tokio::test]
async fn trajectories_read_as_episodes_of_care_for_their_provider_only() {
    let app = TestApp::spawn().await;
    let a = token(PROVIDER_A, "provider");
    let (trajectory, _) = referred(&app, "fhir-eoc", "111222333").await;
    let path = format!("/fhir/EpisodeOfCare/{trajectory}");
    let (status, episode) = fhir(&app, &path, Some(&a)).await;
    assert_eq!(status, 200, "{episode}");
    assert_eq!(episode["status"], "active");
    assert_eq!(episode["type"][0]["coding"][0]["code"], "treatment");
    assert_eq!(episode["patient"]["identifier"]["value"], "fhir-eoc");
    assert!(!episode.to_string().contains("111222333"));
    app.transition_ok(
        &a,
        &trajectory,
        1,
        &json!({"to": "closed", "reason": "planned_completion"}),
    )
    .await;
    let (_, closed) = fhir(&app, &path, Some(&a)).await;
    assert_eq!(closed["status"], "finished");
    assert!(closed["period"]["end"].is_string());
    let (_, finished) = fhir(&app, "/fhir/EpisodeOfCare?status=finished", Some(&a)).await;
    assert_eq!(ids(&finished), vec![trajectory.clone()]);
    let (_, active) = fhir(&app, "/fhir/EpisodeOfCare?status=active", Some(&a)).await;
    assert!(ids(&active).is_empty());

    let (status, _) = fhir(&app, &path, Some(&token(PROVIDER_B, "provider"))).await;
    assert_eq!(status, 404);
    let (status, outcome) = fhir(&app, &path, Some(&token(NIJMEGEN, "municipality"))).await;
    assert_eq!(status, 403);
    assert_eq!(outcome["issue"][0]["code"], "forbidden");
    let (_, admin) = fhir(&app, &path, Some(&token("agb:00000001", "admin"))).await;
    assert_eq!(admin["id"], trajectory.as_str());
    let (status, outcome) = fhir(&app, &path, None).await;
    assert_eq!(status, 401);
    assert_eq!(outcome["issue"][0]["code"], "login");
}

#[tokio::test]
async fn services_read_as_healthcare_services_for_everyone() {
    let app = TestApp::spawn().await;
    let m = token(NIJMEGEN, "municipality");
    let created = app
        .post(
            "/v1/services",
            &m,
            &json!({"name": "Begeleid wonen", "kind": "housing", "serves": [NIJMEGEN],
                    "public_phone": "024-3290000", "languages": ["nl"]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let service = created.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let closed = app
        .post(
            "/v1/services",
            &m,
            &json!({"name": "Dicht", "kind": "housing", "serves": [NIJMEGEN], "status": "defunct"}),
        )
        .await;
    assert_eq!(closed.status(), 201);
    let dashboard = token(AMSTERDAM, "dashboard");
    let (status, read) = fhir(
        &app,
        &format!("/fhir/HealthcareService/{service}"),
        Some(&dashboard),
    )
    .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["active"], true);
    assert_eq!(read["providedBy"]["identifier"]["value"], "0268");
    assert_eq!(read["telecom"][0]["value"], "024-3290000");
    assert_eq!(read["coverageArea"][0]["identifier"]["value"], "0268");
    let (_, active) = fhir(
        &app,
        "/fhir/HealthcareService?active=true",
        Some(&dashboard),
    )
    .await;
    assert_eq!(ids(&active), vec![service.clone()]);
    let (_, inactive) = fhir(
        &app,
        "/fhir/HealthcareService?active=false",
        Some(&dashboard),
    )
    .await;
    assert_eq!(ids(&inactive).len(), 1);
    let (_, none) = fhir(
        &app,
        "/fhir/HealthcareService?organization=agb:87654321",
        Some(&dashboard),
    )
    .await;
    assert!(ids(&none).is_empty());
}

#[tokio::test]
async fn the_capability_statement_lists_what_is_served_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (status, statement) = fhir(&app, "/fhir/metadata", None).await;
    assert_eq!(status, 200);
    assert_eq!(statement["resourceType"], "CapabilityStatement");
    assert_eq!(statement["fhirVersion"], "4.0.1");
    let resources = statement["rest"][0]["resource"]
        .as_array()
        .expect("resources");
    let a = token(PROVIDER_A, "provider");
    for resource in resources {
        let kind = resource["type"].as_str().expect("type");
        let (status, bundle) = fhir(&app, &format!("/fhir/{kind}"), Some(&a)).await;
        assert_eq!(status, 200, "{kind}: {bundle}");
        for param in resource["searchParam"].as_array().expect("params") {
            let name = param["name"].as_str().expect("name");
            let (status, outcome) = fhir(&app, &format!("/fhir/{kind}?{name}=%20"), Some(&a)).await;
            assert_ne!(
                outcome["issue"][0]["diagnostics"]
                    .as_str()
                    .map(|d| d.contains("is not supported")),
                Some(true),
                "{kind}?{name} is declared but refused ({status})"
            );
        }
    }
    let served: Vec<&str> = resources
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    assert_eq!(served, ["Task", "EpisodeOfCare", "HealthcareService"]);
    let (status, outcome) = fhir(&app, "/fhir/Patient", Some(&a)).await;
    assert_eq!(
        (status, &outcome["issue"][0]["code"]),
        (404, &json!("not-found"))
    );
    let write = app
        .request(Method::POST, "/fhir/Task", &a)
        .json(&json!({"resourceType": "Task"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(write.status(), 405);
}

#[tokio::test]
async fn reading_a_task_is_in_the_clients_access_report() {
    let app = TestApp::spawn().await;
    let (_, referral) = referred(&app, "fhir-audit", "111222333").await;
    let m = token(NIJMEGEN, "municipality");
    let (status, _) = fhir(&app, &format!("/fhir/Task/{referral}"), Some(&m)).await;
    assert_eq!(status, 200);
    let (status, _) = fhir(&app, "/fhir/Task?status=requested", Some(&m)).await;
    assert_eq!(status, 200);
    let report: Value = app
        .get(
            "/v1/clients/fhir-audit/access-log",
            &token(PROVIDER_A, "provider"),
        )
        .await
        .json()
        .await
        .expect("json");
    let events: Vec<(&str, &str)> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| Some((e["event"].as_str()?, e["org"].as_str()?)))
        .collect();
    assert!(
        events.contains(&("GET /fhir/Task/{rid}", NIJMEGEN)),
        "{events:?}"
    );
    assert!(events.contains(&("GET /fhir/Task", NIJMEGEN)), "{events:?}");
}

/// Links in a Bundle come from the configured public URL: a forged `Host`,
/// `X-Forwarded-Host`, `X-Forwarded-Proto` or `Forwarded` header changes nothing.
#[tokio::test]
async fn bundle_links_ignore_forged_host_headers() {
    let app = TestApp::spawn_with(|c| {
        c.public_url = Some("https://herstelbrug.example.nl/".to_owned());
    })
    .await;
    let a = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "fhir-host").await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    for kind in ["housing", "wmo_support"] {
        assert_eq!(
            app.refer(PROVIDER_A, &trajectory, kind, NIJMEGEN)
                .await
                .status(),
            201
        );
    }
    for (name, value) in [
        ("Host", "evil.example"),
        ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Proto", "gopher"),
        ("Forwarded", "host=evil.example;proto=http"),
    ] {
        let page: Value = app
            .client
            .get(app.url("/fhir/Task?_count=1"))
            .bearer_auth(&a)
            .header(name, value)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        let urls: Vec<&str> = page["link"]
            .as_array()
            .expect("links")
            .iter()
            .filter_map(|l| l["url"].as_str())
            .chain(
                page["entry"]
                    .as_array()
                    .expect("entries")
                    .iter()
                    .filter_map(|e| e["fullUrl"].as_str()),
            )
            .collect();
        assert!(urls.len() >= 3, "{name}: {page}");
        for url in urls {
            assert!(
                url.starts_with("https://herstelbrug.example.nl/fhir/"),
                "{name}: {value} made {url}"
            );
        }
    }
}
