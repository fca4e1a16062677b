//! Retention and erasure: a closed trajectory past its term loses its personal details
//! (with an injected clock), the figures before and after are equal, a round stopped
//! mid-way resumes, a legal hold keeps everything, and erasure on request removes every
//! personal field from every table but those documented as kept (a canary value searched
//! in a full dump of the database).

use std::process::{Command, Output};

use reqwest::Method;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, TestDatabase, token};

const CANARY: &str = "kanarie7f3a91";
const ADMIN: &str = "agb:00000001";

fn id(body: &Value) -> String {
    body["id"].as_str().expect("id").to_owned()
}

/// A trajectory whose every personal field holds the canary, closed; returns its id.
async fn full_of_canaries(app: &TestApp, client_ref: &str) -> String {
    let provider = token(PROVIDER_A, "provider");
    let registered = app
        .request(Method::POST, "/v1/trajectories", &provider)
        .header("Idempotency-Key", format!("register-{client_ref}"))
        .json(&json!({"client_ref": client_ref, "municipality": NIJMEGEN,
                      "started_on": "2026-01-05", "bsn": "111222333"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(registered.status(), 201);
    let trajectory = id(&registered.json().await.expect("json"));
    app.consent(PROVIDER_A, &trajectory, NIJMEGEN).await;
    let joined = app
        .post(
            &format!("/v1/trajectories/{trajectory}/participants"),
            &provider,
            &json!({"role": "relative", "name": format!("Zus {CANARY}"), "relation": CANARY,
                    "phone": "06-11112222", "email": format!("{CANARY}@example.nl"),
                    "consent": {"share_with": [NIJMEGEN]}}),
        )
        .await;
    assert_eq!(joined.status(), 201);
    let referral = app
        .post(
            &format!("/v1/trajectories/{trajectory}/referrals"),
            &provider,
            &json!({"kind": "housing", "recipient": NIJMEGEN,
                    "needs": format!("Woonruimte voor {CANARY}"),
                    "requested_start_on": "2026-12-15",
                    "client": {"name": format!("J. {CANARY}"), "phone": "06-12345678",
                               "email": format!("j.{CANARY}@example.nl"),
                               "address": format!("{CANARY}straat 1, Nijmegen")},
                    "referrer": {"name": format!("M. {CANARY}"), "phone": "024-1234567"}}),
        )
        .await;
    assert_eq!(referral.status(), 201);
    let rid = id(&referral.json().await.expect("json"));
    let nijmegen = token(NIJMEGEN, "municipality");
    assert_eq!(
        app.act(&nijmegen, &rid, "acknowledge", 1, None)
            .await
            .status(),
        200
    );
    let rejected = app
        .act(
            &nijmegen,
            &rid,
            "reject",
            2,
            Some(json!({"reason_code": "not_eligible", "reason": format!("Geen grondslag voor {CANARY}")})),
        )
        .await;
    assert_eq!(rejected.status(), 200);
    let closed = app
        .transition(
            &provider,
            &trajectory,
            1,
            &json!({"to": "closed", "reason": "client_choice",
                    "no_follow_up_reason": format!("Netwerk van {CANARY} vangt op")}),
        )
        .await;
    assert_eq!(closed.status(), 200);
    trajectory
}

/// Every row of every table as text, with the table's name; `except` tables left out.
async fn dump(url: &str, except: &[&str]) -> Vec<(String, String)> {
    let conn = herstelbrug_persistence::connect(url, 1)
        .await
        .expect("connects")
        .conn;
    let backend = conn.get_database_backend();
    let tables_sql = match backend {
        DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table'",
    };
    let tables: Vec<String> = conn
        .query_all_raw(Statement::from_string(backend, tables_sql.to_owned()))
        .await
        .expect("tables")
        .iter()
        .map(|row| row.try_get::<String>("", "name").expect("name"))
        .filter(|name| !except.contains(&name.as_str()))
        .collect();
    let mut rows = Vec::new();
    for table in tables {
        let select = match backend {
            DbBackend::Postgres => format!("SELECT CAST(t.* AS TEXT) AS row FROM \"{table}\" t"),
            _ => {
                let columns = conn
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT name FROM pragma_table_info('{table}')"),
                    ))
                    .await
                    .expect("columns");
                let quoted: Vec<String> = columns
                    .iter()
                    .map(|c| {
                        format!(
                            "quote(\"{}\")",
                            c.try_get::<String>("", "name").expect("name")
                        )
                    })
                    .collect();
                format!(
                    "SELECT {} AS row FROM \"{table}\"",
                    quoted.join(" || '|' || ")
                )
            }
        };
        for row in conn
            .query_all_raw(Statement::from_string(backend, select))
            .await
            .expect("rows")
        {
            rows.push((
                table.clone(),
                row.try_get::<String>("", "row").expect("row"),
            ));
        }
    }
    rows
}

fn tables_with(rows: &[(String, String)], needle: &str) -> Vec<String> {
    let mut found: Vec<String> = rows
        .iter()
        .filter(|(_, row)| row.contains(needle))
        .map(|(table, _)| table.clone())
        .collect();
    found.dedup();
    found
}

#[tokio::test]
async fn erasure_removes_every_personal_field_but_those_documented_as_kept() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let client_ref = format!("{CANARY}-client");
    let trajectory = full_of_canaries(&app, &client_ref).await;
    let before = dump(db.url(), &[]).await;
    let spread = tables_with(&before, CANARY);
    for table in [
        "trajectories",
        "referrals",
        "participants",
        "referral_events",
        "trajectory_events",
        "idempotency_keys",
        "trajectory_steps",
    ] {
        assert!(
            spread.contains(&table.to_owned()),
            "{table} holds the canary before: {spread:?}"
        );
    }

    let admin = token(ADMIN, "admin");
    let erased = app
        .post(
            &format!("/v1/trajectories/{trajectory}/erasure"),
            &admin,
            &json!({}),
        )
        .await;
    let status = erased.status();
    let report: Value = erased.json().await.expect("json");
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["erased_now"], true);
    let log: Value = app
        .get("/v1/access-log?limit=5", &admin)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        log["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["action"] == "D"
                && e["event"] == "POST /v1/trajectories/{id}/erasure"
                && e["trajectory_id"].as_str() == Some(trajectory.as_str())),
        "{log}"
    );
    let kept = report["kept"].as_array().expect("kept");
    assert!(kept.iter().any(|k| {
        k["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("access_log"))
    }));
    assert!(
        kept.iter()
            .all(|k| k["why"].as_str().is_some_and(|w| w.len() > 40))
    );

    // The access log keeps the reference by law (documented in `kept`): nothing else may.
    let after = dump(db.url(), &["access_log"]).await;
    assert_eq!(tables_with(&after, CANARY), Vec::<String>::new());
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects")
        .conn;
    let sealed = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM trajectories WHERE bsn_sealed IS NOT NULL OR bsn_matcher IS NOT NULL".to_owned(),
        ))
        .await
        .expect("counts")
        .expect("row")
        .try_get::<i64>("", "n")
        .expect("n");
    assert_eq!(sealed, 0, "no BSN hash or ciphertext is left");

    // The history still reads, without the text.
    let events = app
        .get(
            &format!("/v1/trajectories/{trajectory}/events"),
            &token(PROVIDER_A, "provider"),
        )
        .await;
    assert_eq!(events.status(), 200);
    let text = events.text().await.expect("text");
    assert!(
        !text.contains(CANARY) && text.contains("referral_rejected"),
        "{text}"
    );

    let again = app
        .post(
            &format!("/v1/trajectories/{trajectory}/erasure"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(
        again.json::<Value>().await.expect("json")["erased_now"],
        false
    );
}

/// `herstelbrug retention run` with the clock `offset_days` ahead, off the test's runtime
/// thread (the app under test shares it and must keep answering its own transactions).
async fn retention_run(url: &str, offset_days: i64, batch: u64) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"));
    command
        .args(["retention", "run"])
        .env("DATABASE_URL", url)
        .env("HERSTELBRUG_JWT_SECRET", crate::helpers::SECRET)
        .env(
            "HERSTELBRUG_CLOCK_OFFSET_SECONDS",
            (offset_days * 86_400).to_string(),
        )
        .env("HERSTELBRUG_RETENTION_BATCH", batch.to_string())
        .env("RUST_LOG", "warn");
    tokio::task::spawn_blocking(move || command.output().expect("runs"))
        .await
        .expect("joins")
}

async fn figures(app: &TestApp) -> Value {
    let response = app
        .get("/v1/figures/continuity", &token(PROVIDER_A, "dashboard"))
        .await;
    assert_eq!(response.status(), 200);
    let mut figures: Value = response.json().await.expect("json");
    // When they were computed is not a figure.
    figures["generated_at"] = Value::Null;
    figures
}

async fn erased_count(url: &str) -> i64 {
    let conn = herstelbrug_persistence::connect(url, 1)
        .await
        .expect("connects")
        .conn;
    conn.query_one_raw(Statement::from_string(
        conn.get_database_backend(),
        "SELECT COUNT(*) AS n FROM trajectory_retention WHERE erased_at IS NOT NULL".to_owned(),
    ))
    .await
    .expect("counts")
    .expect("row")
    .try_get::<i64>("", "n")
    .expect("n")
}

#[tokio::test]
async fn the_retention_job_removes_what_passed_its_term_resumes_and_honours_a_legal_hold() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let first = full_of_canaries(&app, "retention-1").await;
    full_of_canaries(&app, "retention-2").await;
    let held = full_of_canaries(&app, "retention-held").await;
    let last = full_of_canaries(&app, "crash-me").await;
    let admin = token(ADMIN, "admin");
    let hold = app
        .request(
            Method::PUT,
            &format!("/v1/trajectories/{held}/legal-hold"),
            &admin,
        )
        .json(&json!({"reason": "Klacht bij de tuchtrechter, zaak T-2026-114"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(hold.status(), 200);
    let figures_before = figures(&app).await;

    // Within the term (two years by default) nothing goes.
    let early = retention_run(db.url(), 700, 1).await;
    assert!(
        early.status.success(),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );
    assert!(String::from_utf8_lossy(&early.stdout).contains("0 closed trajectories"));
    assert_eq!(erased_count(db.url()).await, 0);

    // A round that stops part-way (here: the last trajectory's update fails, as a crash
    // would) keeps the batches it finished.
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects")
        .conn;
    let (crash, uncrash): (Vec<&str>, &str) = match conn.get_database_backend() {
        DbBackend::Postgres => (
            vec![
                "CREATE FUNCTION crash_me() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.client_ref = 'crash-me' THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$",
                "CREATE TRIGGER crash_me BEFORE UPDATE ON trajectories FOR EACH ROW EXECUTE FUNCTION crash_me()",
            ],
            "DROP TRIGGER crash_me ON trajectories",
        ),
        _ => (
            vec![
                "CREATE TRIGGER crash_me BEFORE UPDATE ON trajectories WHEN OLD.client_ref = 'crash-me' BEGIN SELECT RAISE(ABORT, 'simulated crash'); END",
            ],
            "DROP TRIGGER crash_me",
        ),
    };
    for statement in crash {
        conn.execute_unprepared(statement)
            .await
            .expect("installs the crash");
    }
    let stopped = retention_run(db.url(), 800, 1).await;
    assert!(!stopped.status.success());
    assert_eq!(
        erased_count(db.url()).await,
        2,
        "the two batches before the crash stay done"
    );
    conn.execute_unprepared(uncrash)
        .await
        .expect("removes the crash");
    let resumed = retention_run(db.url(), 800, 1).await;
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(
        String::from_utf8_lossy(&resumed.stdout).contains("1 closed trajectories"),
        "{}",
        String::from_utf8_lossy(&resumed.stdout)
    );
    assert_eq!(erased_count(db.url()).await, 3);
    // Every removal is itself in the access log.
    let logged = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM access_log WHERE action = 'D' AND purpose = 'retention'"
                .to_owned(),
        ))
        .await
        .expect("counts")
        .expect("row")
        .try_get::<i64>("", "n")
        .expect("n");
    assert_eq!(logged, 3);

    // The held trajectory kept everything; erasure is refused while held.
    let provider = token(PROVIDER_A, "provider");
    let kept: Value = app
        .get(&format!("/v1/trajectories/{held}"), &provider)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(kept["client_ref"], "retention-held");
    let refused = app
        .post(
            &format!("/v1/trajectories/{held}/erasure"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(refused.status(), 409);
    let gone: Value = app
        .get(&format!("/v1/trajectories/{first}"), &provider)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        gone["client_ref"]
            .as_str()
            .is_some_and(|r| r.starts_with("gewist-")),
        "{gone}"
    );
    let _ = last;

    // The figures are built from facts without personal data: equal after.
    assert!(figures(&app).await == figures_before, "the figures changed");

    // Lifted, the next round takes it.
    let lifted = app
        .request(
            Method::DELETE,
            &format!("/v1/trajectories/{held}/legal-hold"),
            &admin,
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(lifted.status(), 200);
    assert!(retention_run(db.url(), 800, 10).await.status.success());
    assert_eq!(erased_count(db.url()).await, 4);
}

#[tokio::test]
async fn two_retention_runners_at_once_remove_each_trajectory_once() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let provider = token(PROVIDER_A, "provider");
    for n in 0..12 {
        let id = app.register_id(PROVIDER_A, &format!("twice-{n}")).await;
        app.transition_ok(
            &provider,
            &id,
            1,
            &json!({"to": "closed", "reason": "client_choice"}),
        )
        .await;
    }
    // Two replicas' jobs, in small batches, at the same moment.
    let url = db.url().to_owned();
    let (first, second) = tokio::join!(retention_run(&url, 800, 2), retention_run(&url, 800, 2));
    for out in [first, second] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(erased_count(&url).await, 12);
    let conn = herstelbrug_persistence::connect(&url, 1)
        .await
        .expect("connects")
        .conn;
    let logged = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'retention'".to_owned(),
        ))
        .await
        .expect("counts")
        .expect("row")
        .try_get::<i64>("", "n")
        .expect("n");
    assert_eq!(
        logged, 12,
        "each removal logged once, by whichever runner took it"
    );
}
