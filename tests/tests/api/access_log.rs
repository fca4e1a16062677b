//! The NEN 7513 access log: every access and attempt is recorded, the treating provider
//! can read who saw a client's data (and that reading is recorded too), and altering a
//! row by hand makes `herstelbrug audit verify` name it.

use std::process::Command;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, TestDatabase, problem, token};

fn events(log: &Value) -> Vec<(String, String, String)> {
    log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap_or_default().to_owned(),
                e["outcome"].as_str().unwrap_or_default().to_owned(),
                e["org"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_provider_reads_who_accessed_a_client_including_refusals_and_its_own_reading() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register(PROVIDER_A, "client-audit").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        app.get(&format!("/v1/trajectories/{trajectory}"), &provider)
            .await
            .status(),
        200
    );
    let foreign = app
        .get(
            &format!("/v1/trajectories/{trajectory}"),
            &token(PROVIDER_B, "provider"),
        )
        .await;
    assert_eq!(foreign.status(), 404);
    let municipality = app
        .get(
            &format!("/v1/trajectories/{trajectory}"),
            &token(NIJMEGEN, "municipality"),
        )
        .await;
    assert_eq!(municipality.status(), 403);
    let anonymous = app
        .client
        .get(app.url(&format!("/v1/trajectories/{trajectory}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 401);
    let moved = app
        .request(
            reqwest::Method::POST,
            &format!("/v1/trajectories/{trajectory}/transitions"),
            &provider,
        )
        .header("If-Match", "\"1\"")
        .header("Purpose", "behandeling afronden")
        .json(&json!({"to": "closed", "reason": "moved"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(moved.status(), 200);

    let first: Value = app
        .get("/v1/clients/client-audit/access-log", &provider)
        .await
        .json()
        .await
        .expect("json");
    let seen = events(&first);
    let expected = [
        (
            "POST /v1/trajectories/{id}/transitions",
            "success",
            PROVIDER_A,
        ),
        ("GET /v1/trajectories/{id}", "denied", "-"),
        ("GET /v1/trajectories/{id}", "denied", NIJMEGEN),
        ("GET /v1/trajectories/{id}", "not_found", PROVIDER_B),
        ("GET /v1/trajectories/{id}", "success", PROVIDER_A),
        ("POST /v1/trajectories", "success", PROVIDER_A),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(e, o, g)| ((*e).to_owned(), (*o).to_owned(), (*g).to_owned()))
        .collect();
    assert_eq!(seen, expected, "newest first");
    let transition = &first["items"][0];
    assert_eq!(transition["action"], "U");
    assert_eq!(transition["purpose"], "behandeling afronden");
    assert_eq!(transition["subject"], "test-user");
    assert!(transition["request_id"].is_string() && transition["address"].is_string());
    assert_eq!(first["items"][5]["action"], "C");

    let second: Value = app
        .get("/v1/clients/client-audit/access-log", &provider)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        second["items"][0]["event"], "GET /v1/clients/{client_ref}/access-log",
        "reading the log is logged"
    );
    assert_eq!(
        problem(
            app.get(
                "/v1/clients/client-audit/access-log",
                &token(PROVIDER_B, "provider")
            )
            .await
        )
        .await
        .0,
        404
    );
    assert_eq!(
        problem(
            app.get(
                "/v1/clients/client-audit/access-log",
                &token(NIJMEGEN, "municipality")
            )
            .await
        )
        .await
        .0,
        403
    );
    let admin = app
        .get(
            "/v1/clients/client-audit/access-log",
            &token("agb:00000001", "admin"),
        )
        .await;
    assert_eq!(admin.status(), 200);
}

#[tokio::test]
async fn altering_a_log_row_makes_audit_verify_name_it() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register(PROVIDER_A, "client-1").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for _ in 0..3 {
        assert_eq!(
            app.get(&format!("/v1/trajectories/{trajectory}"), &provider)
                .await
                .status(),
            200
        );
    }
    let verify = || {
        Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"))
            .args(["audit", "verify"])
            .env("DATABASE_URL", db.url())
            .env("HERSTELBRUG_JWT_SECRET", crate::helpers::SECRET)
            .output()
            .expect("runs")
    };
    let intact = verify();
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout).contains("intact"));

    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    let third: i64 = 3;
    conn.conn
        .execute_unprepared(&format!(
            "UPDATE access_log SET org = 'agb:99999999' WHERE id = {third}"
        ))
        .await
        .expect("tampers");
    let broken = verify();
    assert!(!broken.status.success());
    let said = String::from_utf8_lossy(&broken.stderr);
    assert!(said.contains("broken at entry 3"), "{said}");
}
