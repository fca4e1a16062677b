//! Registering, reading and listing trajectories, and who may see them.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{AMSTERDAM, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

#[tokio::test]
async fn registration_answers_201_with_location_etag_and_the_trajectory() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let response = app
        .post(
            "/v1/trajectories",
            &t,
            &json!({"client_ref": "client-0042", "municipality": NIJMEGEN, "started_on": "2026-09-01", "planned_end_on": "2026-12-01"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["etag"], "\"1\"");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        location,
        format!("/v1/trajectories/{}", body["id"].as_str().expect("id"))
    );
    assert_eq!(body["phase"], "treatment");
    assert_eq!(body["treating_provider"], PROVIDER_A);
    assert_eq!(body["municipality"], NIJMEGEN);
    assert_eq!(body["planned_end_on"], "2026-12-01");
    assert_eq!(body["version"], 1);
    assert_eq!(
        body["allowed_transitions"],
        json!(["transition", "social_support", "closed"])
    );

    let fetched = app.get(&location, &t).await;
    assert_eq!(fetched.headers()["etag"], "\"1\"");
    assert_eq!(fetched.json::<Value>().await.expect("json"), body);

    let not_modified = app
        .request(reqwest::Method::GET, &location, &t)
        .header("If-None-Match", "\"1\"")
        .send()
        .await
        .expect("sent");
    assert_eq!(not_modified.status(), 304);
}

#[tokio::test]
async fn another_organisations_trajectory_is_404_and_absent_from_lists() {
    let app = TestApp::spawn().await;
    let mine = app.register(PROVIDER_A, "client-a").await;
    let theirs = app.register(PROVIDER_B, "client-b").await;
    let t = token(PROVIDER_A, "provider");

    let (status, _) = problem(
        app.get(
            &format!("/v1/trajectories/{}", theirs["id"].as_str().expect("id")),
            &t,
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = problem(
        app.get(
            &format!(
                "/v1/trajectories/{}/events",
                theirs["id"].as_str().expect("id")
            ),
            &t,
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);

    let list: Value = app
        .get("/v1/trajectories", &t)
        .await
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(ids, vec![mine["id"].as_str().expect("id")]);
}

#[tokio::test]
async fn administrators_read_across_organisations_but_municipalities_are_refused() {
    let app = TestApp::spawn().await;
    app.register(PROVIDER_A, "client-a").await;
    app.register(PROVIDER_B, "client-b").await;

    let admin: Value = app
        .get("/v1/trajectories", &token("agb:00000001", "admin"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(admin["items"].as_array().map(Vec::len), Some(2));

    let (status, _) = problem(
        app.get("/v1/trajectories", &token(NIJMEGEN, "municipality"))
            .await,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = problem(
        app.post(
            "/v1/trajectories",
            &token("agb:00000001", "admin"),
            &json!({"client_ref": "x", "municipality": NIJMEGEN, "started_on": "2026-01-05"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403, "administrators do not make clinical changes");
}

#[tokio::test]
async fn pages_follow_the_cursor_without_gaps_or_repeats_and_filters_apply() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let mut created = Vec::new();
    for n in 0..5 {
        let municipality = if n % 2 == 0 { NIJMEGEN } else { AMSTERDAM };
        let response = app
            .post(
                "/v1/trajectories",
                &t,
                &json!({"client_ref": format!("client-{n}"), "municipality": municipality, "started_on": "2026-01-05"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        created.push(
            response.json::<Value>().await.expect("json")["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }

    let mut seen = Vec::new();
    let mut path = "/v1/trajectories?limit=2".to_owned();
    loop {
        let page: Value = app.get(&path, &t).await.json().await.expect("json");
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/trajectories?limit=2&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, created, "every trajectory once, in creation order");

    let amsterdam: Value = app
        .get(&format!("/v1/trajectories?municipality={AMSTERDAM}"), &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(amsterdam["items"].as_array().map(Vec::len), Some(2));

    let closing = &created[0];
    let moved = app
        .transition(&t, closing, 1, &json!({"to": "closed", "reason": "moved"}))
        .await;
    assert_eq!(moved.status(), 200);
    let closed: Value = app
        .get("/v1/trajectories?phase=closed", &t)
        .await
        .json()
        .await
        .expect("json");
    let closed_ids: HashSet<&str> = closed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(closed_ids, HashSet::from([closing.as_str()]));

    let future: Value = app
        .get("/v1/trajectories?updated_since=2100-01-01T00:00:00Z", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(future["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_client_has_one_open_trajectory_per_provider() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let first = app.register(PROVIDER_A, "client-1").await;
    let body =
        json!({"client_ref": "client-1", "municipality": NIJMEGEN, "started_on": "2026-02-01"});
    let (status, problem_body) = problem(app.post("/v1/trajectories", &t, &body).await).await;
    assert_eq!(status, 409);
    assert_eq!(
        problem_body["type"],
        "https://herstelbrug.nl/problems/open-trajectory-exists"
    );
    let first_id = first["id"].as_str().expect("id");
    assert!(
        problem_body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(first_id)),
        "the problem names the open trajectory: {problem_body}"
    );

    // Another provider may treat the same pseudonym, and after closure a new one may start.
    assert_eq!(
        app.post("/v1/trajectories", &token(PROVIDER_B, "provider"), &body)
            .await
            .status(),
        201
    );
    let id = first["id"].as_str().expect("id");
    app.transition_ok(
        &t,
        id,
        1,
        &json!({"to": "closed", "reason": "client_choice"}),
    )
    .await;
    assert_eq!(app.post("/v1/trajectories", &t, &body).await.status(), 201);
}

#[tokio::test]
async fn concurrent_registrations_of_one_client_open_one_trajectory() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let body =
        json!({"client_ref": "client-race", "municipality": NIJMEGEN, "started_on": "2026-02-01"});
    let attempts = (0..8).map(|_| app.post("/v1/trajectories", &t, &body));
    let mut created = Vec::new();
    let mut refused = Vec::new();
    for response in futures::future::join_all(attempts).await {
        match response.status().as_u16() {
            201 => created.push(response.json::<Value>().await.expect("json")),
            409 => refused.push(problem(response).await.1),
            other => panic!("a registration answered {other}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one registration wins");
    let winner = created[0]["id"].as_str().expect("id");
    for problem_body in &refused {
        assert_eq!(
            problem_body["type"],
            "https://herstelbrug.nl/problems/open-trajectory-exists"
        );
        assert!(
            problem_body["detail"]
                .as_str()
                .is_some_and(|d| d.contains(winner)),
            "each refusal names the winner: {problem_body}"
        );
    }
}

#[tokio::test]
async fn invalid_values_are_422_problems() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let cases = [
        json!({"client_ref": "client-1", "municipality": "gemeente:363", "started_on": "2026-01-05"}),
        json!({"client_ref": "client-1", "municipality": "agb:12345678", "started_on": "2026-01-05"}),
        json!({"client_ref": "Jan Jansen", "municipality": NIJMEGEN, "started_on": "2026-01-05"}),
        json!({"client_ref": "client-1", "municipality": NIJMEGEN, "started_on": "2999-01-05"}),
        json!({"client_ref": "client-1", "municipality": NIJMEGEN, "started_on": "2026-03-01", "planned_end_on": "2026-02-01"}),
    ];
    for body in cases {
        let (status, problem_body) = problem(app.post("/v1/trajectories", &t, &body).await).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(
            problem_body["type"],
            "https://herstelbrug.nl/problems/validation-failed"
        );
    }
    let list: Value = app
        .get("/v1/trajectories", &t)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
}
