//! The access log under hostile input and shared batches: one organisation's bad requests
//! never fail another's, refused attempts are still logged (made storable), and every
//! response that showed a client's data is in that client's access report.

use futures::future::join_all;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, TestDatabase, problem, token};

async fn scalar(db: &TestDatabase, sql: &str) -> i64 {
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    conn.conn
        .query_one_raw(Statement::from_string(conn.backend(), sql.to_owned()))
        .await
        .expect("counts")
        .expect("a row")
        .try_get::<i64>("", "n")
        .expect("n")
}

/// A trajectory of `client` with consent for Nijmegen and an open housing referral.
async fn referred(app: &TestApp, client: &str) -> (String, String) {
    let trajectory = app.register_id(PROVIDER_A, client).await;
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let referral: Value = app
        .refer(PROVIDER_A, &trajectory, "housing", NIJMEGEN)
        .await
        .json()
        .await
        .expect("json");
    (trajectory, referral["id"].as_str().expect("id").to_owned())
}

#[tokio::test]
async fn hostile_paths_from_one_organisation_never_fail_another_and_are_logged_storably() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let (trajectory, _) = referred(&app, "client-calm").await;
    let attacker = token(PROVIDER_B, "provider");
    let provider = token(PROVIDER_A, "provider");
    let municipality = token(NIJMEGEN, "municipality");
    let long_ref = "x".repeat(100);
    let long_route = format!("/v1/{}", "y".repeat(300));
    let hostile = [
        format!("/v1/clients/{long_ref}/access-log"),
        "/v1/clients/ab%00cd/access-log".to_owned(),
        "/v1/clients/%E2%80%AE%07bell/access-log".to_owned(),
        long_route,
    ];

    // Interleaved, so attacks and reads share the log writer's batches.
    let requests = (0..400).map(|i| {
        let (app, attacker, provider, municipality) = (&app, &attacker, &provider, &municipality);
        let path = match i % 4 {
            0 => format!("/v1/trajectories/{trajectory}"),
            2 => "/v1/referrals/inbox".to_owned(),
            _ => hostile[(i / 4) % hostile.len()].clone(),
        };
        async move {
            let caller = match i % 4 {
                0 => provider,
                2 => municipality,
                _ => attacker,
            };
            (i % 2 == 1, app.get(&path, caller).await.status().as_u16())
        }
    });
    let answers = join_all(requests).await;
    let attacked: Vec<u16> = answers.iter().filter(|a| a.0).map(|a| a.1).collect();
    let read: Vec<u16> = answers.iter().filter(|a| !a.0).map(|a| a.1).collect();
    assert!(
        read.iter().all(|s| *s == 200),
        "the other organisations' reads all succeed: {read:?}"
    );
    assert!(
        attacked.iter().all(|s| *s == 400 || *s == 404),
        "hostile paths get a 4xx problem: {attacked:?}"
    );

    let (status, body) = problem(
        app.get(&format!("/v1/clients/{long_ref}/access-log"), &attacker)
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("client_ref"),
        "the problem names the field: {body}"
    );

    let logged = |condition: &str| {
        format!(
            "SELECT COUNT(*) AS n FROM access_log WHERE org = '{PROVIDER_B}' \
             AND outcome = 'refused' AND {condition}"
        )
    };
    assert!(
        scalar(
            &db,
            &logged(&format!("client_ref LIKE '{}%'", "x".repeat(63)))
        )
        .await
            >= 10,
        "the over-long reference is logged, cut to the column"
    );
    assert!(
        scalar(&db, &logged("client_ref = 'ab\\u{0}cd'")).await >= 10,
        "NUL is logged as an escape"
    );
    assert!(
        scalar(
            &db,
            "SELECT COUNT(*) AS n FROM access_log \
             WHERE outcome = 'not_found' AND event LIKE 'GET /v1/yyyy%'"
        )
        .await
            >= 10,
        "the unknown over-long route is logged too"
    );
}

#[tokio::test]
async fn an_entry_that_fails_by_itself_fails_only_its_own_request() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let trajectory = app.register_id(PROVIDER_A, "client-batch").await;
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    // Stands in for any entry the database refuses, whatever the reason.
    let trigger = match conn.backend() {
        DbBackend::Postgres => vec![
            "CREATE FUNCTION refuse_entry() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.purpose = 'poison' THEN RAISE EXCEPTION 'refused'; END IF;
             RETURN NEW; END $$",
            "CREATE TRIGGER refuse_entry BEFORE INSERT ON access_log
             FOR EACH ROW EXECUTE FUNCTION refuse_entry()",
        ],
        _ => vec![
            "CREATE TRIGGER refuse_entry BEFORE INSERT ON access_log
             WHEN NEW.purpose = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ],
    };
    for statement in trigger {
        conn.conn
            .execute_unprepared(statement)
            .await
            .expect("trigger");
    }
    let path = format!("/v1/trajectories/{trajectory}");
    let provider = token(PROVIDER_A, "provider");
    let requests = (0..60).map(|i| {
        let (app, path, provider) = (&app, &path, &provider);
        async move {
            let mut request = app.request(reqwest::Method::GET, path, provider);
            if i % 3 == 0 {
                request = request.header("Purpose", "poison");
            }
            let status = request.send().await.expect("sent").status().as_u16();
            (i % 3 == 0, status)
        }
    });
    let answers = join_all(requests).await;
    for (poisoned, status) in answers {
        let expected = if poisoned { 500 } else { 200 };
        assert_eq!(status, expected, "poisoned: {poisoned}");
    }
}

#[tokio::test]
async fn every_response_that_showed_a_client_is_in_that_clients_access_report() {
    let app = TestApp::spawn().await;
    let (trajectory, referral) = referred(&app, "client-shown").await;
    let municipality = token(NIJMEGEN, "municipality");
    let provider = token(PROVIDER_A, "provider");
    let (inbox, _) = app.feed_collect("inbox", &municipality, None, 1).await;
    assert_eq!(inbox[0]["referral"]["client"]["name"], "J. Jansen");
    app.feed_collect("outbox-feed", &provider, None, 1).await;
    assert_eq!(
        app.get("/v1/trajectories?limit=10", &provider)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.act(&municipality, &referral, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    // A second client's list read names the first client too, but no one else's.
    let other = app.register_id(PROVIDER_A, "client-other").await;

    let report: Value = app
        .get("/v1/clients/client-shown/access-log", &provider)
        .await
        .json()
        .await
        .expect("json");
    let events: Vec<(String, String)> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap_or_default().to_owned(),
                e["org"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (event, org) in [
        ("GET /v1/referrals/inbox", NIJMEGEN),
        ("GET /v1/referrals/outbox-feed", PROVIDER_A),
        ("GET /v1/trajectories", PROVIDER_A),
        ("POST /v1/referrals/{rid}/acknowledge", NIJMEGEN),
    ] {
        assert!(
            events.contains(&(event.to_owned(), org.to_owned())),
            "{event} by {org} is in the report: {events:?}"
        );
    }
    let inbox_entry = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| {
            e["event"] == "GET /v1/referrals/inbox"
                && e["status"] == 200
                && e["disclosed"] != json!([])
        })
        .expect("inbox entry");
    assert_eq!(inbox_entry["disclosed"], json!([trajectory]));

    let other_report: Value = app
        .get("/v1/clients/client-other/access-log", &provider)
        .await
        .json()
        .await
        .expect("json");
    let other_events: Vec<&str> = other_report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    assert!(
        !other_events.contains(&"GET /v1/referrals/inbox"),
        "the inbox read showed nothing of the other client: {other_events:?} ({other})"
    );
}
