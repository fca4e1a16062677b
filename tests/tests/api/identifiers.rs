//! External identifiers on trajectories, referrals and services: set at creation and
//! afterwards, several per object, unique per system within the organisation that set
//! them, found again with `?identifier=system|value`, and never shown to another
//! organisation.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{AMSTERDAM, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

const EHR: &str = "https://ehr.example.nl/episodes";
const FHIR_TASK: &str = "https://ehr.example.nl/fhir/Task";
const IWMO: &str = "https://nijmegen.example.nl/iwmo/toewijzing";

async fn put(app: &TestApp, path: &str, who: &str, items: Value) -> reqwest::Response {
    app.request(Method::PUT, path, who)
        .json(&json!({ "items": items }))
        .send()
        .await
        .expect("sent")
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json")
}

fn token_of(system: &str, value: &str) -> String {
    // `|` and `:` are fine in a query; `/` too. Only the bar needs no escaping here.
    format!("{system}|{value}")
}

async fn register(app: &TestApp, provider: &str, client: &str, ids: Value) -> reqwest::Response {
    app.post(
        "/v1/trajectories",
        &token(provider, "provider"),
        &json!({"client_ref": client, "municipality": NIJMEGEN, "started_on": "2026-01-05",
                "identifiers": ids}),
    )
    .await
}

#[tokio::test]
async fn a_trajectory_is_found_by_its_ehr_id_within_its_provider_only() {
    let app = TestApp::spawn().await;
    let a = token(PROVIDER_A, "provider");
    let b = token(PROVIDER_B, "provider");
    let ids = json!([{"system": EHR, "value": "EP-2026-00417"}]);
    let first = register(&app, PROVIDER_A, "client-ids", ids.clone()).await;
    assert_eq!(first.status(), 201);
    let id = json_of(first).await["id"].as_str().expect("id").to_owned();

    let query = format!(
        "/v1/trajectories?identifier={}",
        token_of(EHR, "EP-2026-00417")
    );
    let found = json_of(app.get(&query, &a).await).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(found["items"][0]["id"], id.as_str());
    let other = json_of(app.get(&query, &b).await).await;
    assert_eq!(
        other["items"],
        json!([]),
        "another provider's lookup finds nothing"
    );

    // Unique per provider: B may use the same id for its own client, A may not reuse it.
    assert_eq!(
        register(&app, PROVIDER_B, "client-b", ids.clone())
            .await
            .status(),
        201
    );
    let (status, body) = problem(register(&app, PROVIDER_A, "client-twin", ids).await).await;
    assert_eq!(status, 409);
    assert_eq!(
        body["type"],
        "https://herstelbrug.nl/problems/identifier-taken"
    );
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("EP-2026-00417"))
    );
    let all = json_of(app.get("/v1/trajectories", &a).await).await;
    assert_eq!(
        all["items"].as_array().map(Vec::len),
        Some(1),
        "the refused registration left nothing behind"
    );

    // Afterwards: several identifiers, replaced as a set; B cannot touch A's trajectory.
    let path = format!("/v1/trajectories/{id}/identifiers");
    let set = json!([
        {"system": EHR, "value": "EP-2026-00417"},
        {"system": "https://ehr.example.nl/fhir/EpisodeOfCare", "value": "eoc-77"}
    ]);
    let replaced = put(&app, &path, &a, set.clone()).await;
    assert_eq!(replaced.status(), 200);
    assert_eq!(
        json_of(replaced).await["items"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(put(&app, &path, &b, set).await.status(), 404);
    let read = json_of(app.get(&path, &a).await).await;
    assert_eq!(read["items"][1]["value"], "eoc-77", "by system then value");
    let by_fhir = format!(
        "/v1/trajectories?identifier={}",
        token_of("https://ehr.example.nl/fhir/EpisodeOfCare", "eoc-77")
    );
    assert_eq!(
        json_of(app.get(&by_fhir, &a).await).await["items"][0]["id"],
        id.as_str()
    );
}

#[tokio::test]
async fn bad_identifiers_are_refused_naming_the_field_and_change_nothing() {
    let app = TestApp::spawn().await;
    let a = token(PROVIDER_A, "provider");
    let (status, body) = problem(
        register(
            &app,
            PROVIDER_A,
            "c1",
            json!([{"system": "episodes", "value": "1"}]),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("identifiers[0]")),
        "{body}"
    );
    let twice = json!([{"system": EHR, "value": "1"}, {"system": EHR, "value": "1"}]);
    let (status, body) = problem(register(&app, PROVIDER_A, "c1", twice).await).await;
    assert_eq!(status, 422);
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("twice")),
        "{body}"
    );
    let (status, body) = problem(app.get("/v1/trajectories?identifier=no-bar", &a).await).await;
    assert_eq!(status, 422);
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("identifier")),
        "{body}"
    );
    assert_eq!(
        json_of(app.get("/v1/trajectories", &a).await).await["items"],
        json!([])
    );

    // A replacement that would take another trajectory's id changes neither.
    let one = json_of(
        register(
            &app,
            PROVIDER_A,
            "c1",
            json!([{"system": EHR, "value": "A"}]),
        )
        .await,
    )
    .await;
    let two = json_of(
        register(
            &app,
            PROVIDER_A,
            "c2",
            json!([{"system": EHR, "value": "B"}]),
        )
        .await,
    )
    .await;
    let path = format!(
        "/v1/trajectories/{}/identifiers",
        two["id"].as_str().expect("id")
    );
    let clash = json!([{"system": EHR, "value": "A"}, {"system": EHR, "value": "C"}]);
    assert_eq!(problem(put(&app, &path, &a, clash).await).await.0, 409);
    let kept = json_of(app.get(&path, &a).await).await;
    assert_eq!(kept["items"], json!([{"system": EHR, "value": "B"}]));
    let by_a = format!("/v1/trajectories?identifier={}", token_of(EHR, "A"));
    assert_eq!(
        json_of(app.get(&by_a, &a).await).await["items"][0]["id"],
        one["id"]
    );
}

#[tokio::test]
async fn each_party_keeps_its_own_identifiers_of_a_referral() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let nijmegen = token(NIJMEGEN, "municipality");
    let trajectory = app.register_id(PROVIDER_A, "client-ref-ids").await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let created = app
        .post(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &provider,
            &json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "Woonruimte",
                    "client": {"name": "J. Jansen"}, "referrer": {"name": "M. de Vries"},
                    "identifiers": [{"system": FHIR_TASK, "value": "task-9"}]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let rid = json_of(created).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/v1/referrals/{rid}/identifiers");
    let set = put(
        &app,
        &path,
        &nijmegen,
        json!([{"system": IWMO, "value": "TW-2026-000123"}]),
    )
    .await;
    assert_eq!(set.status(), 200);

    let mine = json_of(app.get(&path, &nijmegen).await).await;
    assert_eq!(
        mine["items"],
        json!([{"system": IWMO, "value": "TW-2026-000123"}])
    );
    let theirs = json_of(app.get(&path, &provider).await).await;
    assert_eq!(
        theirs["items"],
        json!([{"system": FHIR_TASK, "value": "task-9"}])
    );

    let by_iwmo = format!(
        "/v1/referrals?identifier={}",
        token_of(IWMO, "TW-2026-000123")
    );
    let found = json_of(app.get(&by_iwmo, &nijmegen).await).await;
    assert_eq!(found["items"][0]["id"], rid.as_str());
    assert_eq!(found["items"][0]["view"], "recipient");
    let by_task = format!("/v1/referrals?identifier={}", token_of(FHIR_TASK, "task-9"));
    assert_eq!(
        json_of(app.get(&by_task, &provider).await).await["items"][0]["view"],
        "requester"
    );
    assert_eq!(
        json_of(app.get(&by_task, &nijmegen).await).await["items"],
        json!([]),
        "the provider's identifier is not the municipality's"
    );
    let amsterdam = token(AMSTERDAM, "municipality");
    assert_eq!(app.get(&path, &amsterdam).await.status(), 404);
}

#[tokio::test]
async fn a_service_keeps_its_identifiers_through_a_put_that_leaves_them_out() {
    let app = TestApp::spawn().await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let body = json!({"name": "Begeleid wonen", "kind": "housing", "serves": [NIJMEGEN],
                      "identifiers": [{"system": "urn:oid:2.16.528.1.1007.3.3", "value": "svc-1"}]});
    let created = app.post("/v1/services", &nijmegen, &body).await;
    assert_eq!(created.status(), 201);
    let id = json_of(created).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let query = format!(
        "/v1/services?identifier={}",
        token_of("urn:oid:2.16.528.1.1007.3.3", "svc-1")
    );
    let found = json_of(app.get(&query, &nijmegen).await).await;
    assert_eq!(found["items"][0]["id"], id.as_str());
    let provider = token(PROVIDER_A, "provider");
    assert_eq!(
        json_of(app.get(&query, &provider).await).await["items"],
        json!([])
    );

    let update = |ids: Option<Value>| {
        let mut body =
            json!({"name": "Begeleid wonen Oost", "kind": "housing", "serves": [NIJMEGEN]});
        if let Some(ids) = ids {
            body["identifiers"] = ids;
        }
        body
    };
    let path = format!("/v1/services/{id}");
    let ids_path = format!("{path}/identifiers");
    let kept = app
        .request(Method::PUT, &path, &nijmegen)
        .header("If-Match", "\"1\"")
        .json(&update(None))
        .send()
        .await
        .expect("sent");
    assert_eq!(kept.status(), 200);
    assert_eq!(
        json_of(app.get(&ids_path, &nijmegen).await).await["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let cleared = app
        .request(Method::PUT, &path, &nijmegen)
        .header("If-Match", "\"2\"")
        .json(&update(Some(json!([]))))
        .send()
        .await
        .expect("sent");
    assert_eq!(cleared.status(), 200);
    assert_eq!(
        json_of(app.get(&ids_path, &nijmegen).await).await["items"],
        json!([])
    );
    assert_eq!(
        app.get(&ids_path, &provider).await.status(),
        404,
        "only the owner"
    );
}

#[tokio::test]
async fn concurrent_writers_cannot_give_one_identifier_to_two_trajectories() {
    let app = TestApp::spawn().await;
    let a = token(PROVIDER_A, "provider");
    let mut paths = Vec::new();
    for n in 0..4 {
        let id = app.register_id(PROVIDER_A, &format!("race-{n}")).await;
        paths.push(format!("/v1/trajectories/{id}/identifiers"));
    }
    let same = json!([{"system": EHR, "value": "EP-RACE"}]);
    let answers =
        futures::future::join_all(paths.iter().map(|p| put(&app, p, &a, same.clone()))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        3,
        "{statuses:?}"
    );
    let query = format!("/v1/trajectories?identifier={}", token_of(EHR, "EP-RACE"));
    assert_eq!(
        json_of(app.get(&query, &a).await).await["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}
