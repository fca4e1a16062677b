//! Strict input: dates only as YYYY-MM-DD, only `application/json` bodies, objects where
//! objects belong, no body where none is taken, oversized headers refused; every refusal
//! is a problem that names the field, and changes nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, problem, token};

async fn trajectories(app: &TestApp) -> usize {
    let list: Value = app
        .get("/v1/trajectories", &token(PROVIDER_A, "provider"))
        .await
        .json()
        .await
        .expect("json");
    list["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn dates_are_only_yyyy_mm_dd_and_the_error_names_the_field() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    for bad in [
        "-2026-01-01",
        "+002026-01-01",
        "0000-01-01",
        "2026-2-3",
        " 2026-01-01",
        "2026-02-30",
    ] {
        let (status, body) = problem(
            app.post(
                "/v1/trajectories",
                &provider,
                &json!({"client_ref": "client-date", "municipality": NIJMEGEN, "started_on": bad}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("started_on") && detail.contains("YYYY-MM-DD"),
            "{bad}: the field and the format are named: {detail}"
        );
        assert!(!detail.contains("line 1"), "no parser positions: {detail}");
    }
    assert_eq!(trajectories(&app).await, 0, "nothing was registered");
    let id = app.register_id(PROVIDER_A, "client-date").await;
    let (status, body) = problem(
        app.transition(
            &provider,
            &id,
            1,
            &json!({"to": "transition", "planned_end_on": "2027-1-1"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("planned_end_on")
    );
}

#[tokio::test]
async fn only_application_json_is_read_as_json() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let body =
        json!({"client_ref": "client-type", "municipality": NIJMEGEN, "started_on": "2026-01-05"})
            .to_string();
    for content_type in [
        "text/json",
        "application/jsonx",
        "application/json-patch+json",
        "text/plain",
    ] {
        let response = app
            .request(Method::POST, "/v1/trajectories", &provider)
            .header("Content-Type", content_type)
            .body(body.clone())
            .send()
            .await
            .expect("sent");
        assert_eq!(problem(response).await.0, 415, "{content_type}");
    }
    assert_eq!(trajectories(&app).await, 0);
    let response = app
        .request(Method::POST, "/v1/trajectories", &provider)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response.status(),
        201,
        "parameters on application/json are fine"
    );
}

#[tokio::test]
async fn null_bodies_and_arrays_for_objects_are_refused() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    for body in [json!(null), json!([]), json!("text")] {
        let (status, problem_body) =
            problem(app.post("/v1/trajectories", &provider, &body).await).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            problem_body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("must be a JSON object"),
            "{problem_body}"
        );
    }
    let trajectory = app.register_id(PROVIDER_A, "client-shape").await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let (status, body) = problem(
        app.post(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &provider,
            &json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "Woonruimte", "client": []}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`client`"),
        "{body}"
    );
    let referrals: Value = app
        .get(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &provider,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(referrals["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn operations_without_a_body_refuse_one() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "client-nobody").await;
    for (method, path) in [
        (Method::GET, format!("/v1/trajectories/{trajectory}")),
        (Method::GET, "/v1/trajectories".to_owned()),
        (
            Method::DELETE,
            "/v1/webhook-subscriptions/01a31638-04b6-7249-a2a2-813cc13fd3a6".to_owned(),
        ),
        (
            Method::POST,
            "/v1/alerts/01a31638-04b6-7249-a2a2-813cc13fd3a6/acknowledge".to_owned(),
        ),
    ] {
        let response = app
            .request(method.clone(), &path, &provider)
            .header("If-Match", "\"1\"")
            .json(&json!({"unexpected": true}))
            .send()
            .await
            .expect("sent");
        let (status, body) = problem(response).await;
        assert_eq!(status, 400, "{method} {path}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("takes no request body"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn oversized_headers_get_a_431_problem() {
    let app = TestApp::spawn().await;
    let response = app
        .request(
            Method::GET,
            "/v1/trajectories",
            &token(PROVIDER_A, "provider"),
        )
        .header("X-Padding", "x".repeat(20 * 1024))
        .send()
        .await
        .expect("sent");
    let (status, body) = problem(response).await;
    assert_eq!(status, 431);
    assert_eq!(
        body["type"],
        "https://herstelbrug.nl/problems/headers-too-large"
    );
}

/// A key twice in one object can be read two ways (serde keeps the last, a gateway may
/// read the first): refused with 400 naming the key, on every kind of body, nothing changed.
#[tokio::test]
async fn a_key_sent_twice_is_refused_naming_it() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let raw = |method: Method, path: &str, body: &'static str| {
        app.request(method, path, &provider)
            .header("Content-Type", "application/json")
            .body(body)
    };
    let registration = raw(
        Method::POST,
        "/v1/trajectories",
        r#"{"client_ref": "c-dup", "municipality": "gemeente:0268", "client_ref": "c-other"}"#,
    );
    let (status, body) = problem(registration.send().await.expect("sent")).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`client_ref` appears twice")
    );
    assert_eq!(trajectories(&app).await, 0, "nothing was registered");

    let id = app.register_id(PROVIDER_A, "client-dup").await;
    let path = format!("/v1/trajectories/{id}/transitions");
    let transition = raw(
        Method::POST,
        &path,
        r#"{"to": "closed", "to": "transition"}"#,
    )
    .header("If-Match", "\"1\"");
    let (status, body) = problem(transition.send().await.expect("sent")).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`to` appears twice")
    );
    let nested = raw(
        Method::POST,
        "/v1/webhook-subscriptions",
        r#"{"url": "https://ehr.example/hook", "event_types": ["alert.opened"], "url": "https://evil.example/"}"#,
    );
    let (status, body) = problem(nested.send().await.expect("sent")).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`url` appears twice")
    );
    let now: Value = app
        .get(&format!("/v1/trajectories/{id}"), &provider)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(now["version"], 1, "the transition changed nothing: {now}");
}
