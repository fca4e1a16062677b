//! The NEN 7513 access log: every access and attempt is recorded, the treating provider
//! can read who saw a client's data (and that reading is recorded too), and altering a
//! row by hand makes `herstelbrug audit verify` name it.

use std::process::Command;

use sea_orm::{ConnectionTrait, DbBackend};
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
    let trajectory = app.register_id(PROVIDER_A, "client-audit").await;
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
    let trajectory = app.register_id(PROVIDER_A, "client-1").await;
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
    // Every entry must be chained before the tampering, or the sealer would chain the
    // altered row as it finds it. On PostgreSQL an entry waits until every older
    // transaction in the cluster (other tests') has ended: ask until none waits.
    let mut said = String::new();
    for _ in 0..100 {
        let intact = verify();
        assert!(
            intact.status.success(),
            "{}",
            String::from_utf8_lossy(&intact.stderr)
        );
        said = String::from_utf8_lossy(&intact.stdout).into_owned();
        if said.contains(", 0 waiting") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        said.contains("intact") && said.contains(", 0 waiting"),
        "{said}"
    );

    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    let tamper = "UPDATE access_log SET org = 'agb:99999999' WHERE id = 3";
    let refused = conn.conn.execute_unprepared(tamper).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("append-only")),
        "{refused:?}"
    );
    // Someone with the owner's DDL rights switches the guard off and alters a row.
    let unguard = match conn.conn.get_database_backend() {
        DbBackend::Postgres => "ALTER TABLE access_log DISABLE TRIGGER access_log_append_only",
        _ => "DROP TRIGGER access_log_no_update",
    };
    conn.conn
        .execute_unprepared(unguard)
        .await
        .expect("unguards");
    conn.conn.execute_unprepared(tamper).await.expect("tampers");
    let broken = verify();
    assert!(!broken.status.success());
    let said = String::from_utf8_lossy(&broken.stderr);
    assert!(said.contains("broken at entry 3"), "{said}");
}

/// `SELECT COUNT(*) AS n …` on the test's database.
async fn count(conn: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    conn.query_one_raw(sea_orm::Statement::from_string(
        conn.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .expect("counts")
    .expect("a row")
    .try_get::<i64>("", "n")
    .expect("n")
}

/// The number of entries with this request id and `condition`.
async fn entries_where(db: &TestDatabase, request_id: &str, condition: &str) -> i64 {
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    count(
        &conn.conn,
        &format!(
            "SELECT COUNT(*) AS n FROM access_log WHERE request_id = '{request_id}' AND {condition}"
        ),
    )
    .await
}

/// The number of entries with this request id.
async fn entries_of(db: &TestDatabase, request_id: &str) -> i64 {
    entries_where(db, request_id, "TRUE").await
}

#[tokio::test]
async fn a_write_whose_log_entry_fails_does_not_happen_and_a_write_logs_once() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "client-1").await;
    let conn = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    // Stands in for a full disk or a lost connection, for one purpose only.
    let trigger = match conn.conn.get_database_backend() {
        DbBackend::Postgres => vec![
            "CREATE FUNCTION refuse_entry() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.purpose = 'log-fails' THEN RAISE EXCEPTION 'log is down'; END IF;
             RETURN NEW; END $$",
            "CREATE TRIGGER refuse_entry BEFORE INSERT ON access_log
             FOR EACH ROW EXECUTE FUNCTION refuse_entry()",
        ],
        _ => vec![
            "CREATE TRIGGER refuse_entry BEFORE INSERT ON access_log
             WHEN NEW.purpose = 'log-fails' BEGIN SELECT RAISE(ABORT, 'log is down'); END",
        ],
    };
    let planned = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    let to_transition = json!({"to": "transition", "planned_end_on": planned.to_string()});
    for statement in trigger {
        conn.conn
            .execute_unprepared(statement)
            .await
            .expect("trigger");
    }
    let failed = app
        .client
        .post(app.url(&format!("/v1/trajectories/{trajectory}/transitions")))
        .bearer_auth(&provider)
        .header("If-Match", "\"1\"")
        .header("Purpose", "log-fails")
        .json(&to_transition)
        .send()
        .await
        .expect("sent");
    assert_eq!(failed.status(), 500);
    let now = app
        .get(&format!("/v1/trajectories/{trajectory}"), &provider)
        .await;
    let now: Value = now.json().await.expect("json");
    assert_eq!(
        now["phase"], "treatment",
        "the write happened without its entry"
    );
    assert_eq!(now["version"], 1);

    let moved = app
        .client
        .post(app.url(&format!("/v1/trajectories/{trajectory}/transitions")))
        .bearer_auth(&provider)
        .header("If-Match", "\"1\"")
        .json(&to_transition)
        .send()
        .await
        .expect("sent");
    assert_eq!(moved.status(), 200);
    let request_id = moved
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("request id")
        .to_owned();
    assert_eq!(entries_of(&db, &request_id).await, 1);
}

/// A PostgreSQL login role that exists for one test; declared before the test's
/// database, so it is dropped after it (a role that still has grants cannot go).
struct TestRole {
    name: String,
    admin_url: String,
}

impl Drop for TestRole {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let admin = herstelbrug_persistence::connect(&admin_url, 1).await?;
                admin
                    .conn
                    .execute_unprepared(&format!("DROP ROLE IF EXISTS {name}"))
                    .await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test role: {e}");
        }
    }
}

/// `url` with its user replaced by `user`.
fn as_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("scheme");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

#[tokio::test]
async fn the_application_role_may_append_to_the_log_but_never_alter_it() {
    let admin_url = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
    let role = TestRole {
        name: format!(
            "hb_app_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        ),
        admin_url: admin_url.clone(),
    };
    let db = TestDatabase::fresh().await;
    let migrate = |url: &str, role: &str| {
        Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"))
            .args(["migrate", "--app-role", role])
            .env("DATABASE_URL", url)
            .env("HERSTELBRUG_JWT_SECRET", crate::helpers::SECRET)
            .output()
            .expect("runs")
    };
    let owner = herstelbrug_persistence::connect(db.url(), 1)
        .await
        .expect("connects");
    if owner.conn.get_database_backend() != DbBackend::Postgres {
        let refused = migrate(db.url(), &role.name);
        assert!(!refused.status.success());
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("needs PostgreSQL"), "{said}");
        return;
    }
    owner
        .conn
        .execute_unprepared(&format!("CREATE ROLE {} LOGIN", role.name))
        .await
        .expect("creates role");
    let granted = migrate(db.url(), &role.name);
    assert!(
        granted.status.success(),
        "{}",
        String::from_utf8_lossy(&granted.stderr)
    );

    // The server logs in as the application role and does not migrate.
    let role_url = as_user(db.url(), &role.name);
    let as_role = TestDatabase::Borrowed {
        url: role_url.clone(),
    };
    let app = TestApp::spawn_on_with(&as_role, |config| {
        config.migrate_on_start = "off".to_owned();
    })
    .await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "client-1").await;
    assert_eq!(
        app.get(&format!("/v1/trajectories/{trajectory}"), &provider)
            .await
            .status(),
        200
    );

    let app_conn = herstelbrug_persistence::connect(&role_url, 1)
        .await
        .expect("connects as the role");
    for statement in [
        "UPDATE access_log SET org = 'agb:99999999'",
        "DELETE FROM access_log",
        "TRUNCATE access_log",
        "DELETE FROM access_log_seal",
    ] {
        let refused = app_conn.conn.execute_unprepared(statement).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("permission denied")),
            "{statement}: {refused:?}"
        );
    }
    // Everything else stays writable for it.
    app_conn
        .conn
        .execute_unprepared("UPDATE trajectories SET version = version WHERE false")
        .await
        .expect("the role writes other tables");
    // Sealing and verifying need only read and append.
    let verified = Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &role_url)
        .env("HERSTELBRUG_MIGRATE_ON_START", "off")
        .env("HERSTELBRUG_JWT_SECRET", crate::helpers::SECRET)
        .output()
        .expect("runs");
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

#[tokio::test]
async fn an_empty_feed_poll_logs_nothing_but_every_other_answer_is_logged() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let first = app.get("/v1/referrals/inbox", &nijmegen).await;
    let etag = first.headers()["etag"].to_str().expect("ascii").to_owned();
    let request_id = |r: &reqwest::Response| {
        r.headers()["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_owned()
    };
    let first_id = request_id(&first);
    let page: Value = first.json().await.expect("json");
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    let quiet = app
        .client
        .get(app.url(&format!("/v1/referrals/inbox?after={cursor}")))
        .bearer_auth(&nijmegen)
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(quiet.status(), 304);
    assert_eq!(entries_of(&db, &request_id(&quiet)).await, 0);
    assert_eq!(
        entries_of(&db, &first_id).await,
        1,
        "the read itself is logged"
    );

    // A trajectory confirmed unchanged is still an access to that client's record.
    let provider = token(PROVIDER_A, "provider");
    let registered = app.register(PROVIDER_A, "client-304").await;
    let id = registered["id"].as_str().expect("id");
    let unchanged = app
        .client
        .get(app.url(&format!("/v1/trajectories/{id}")))
        .bearer_auth(&provider)
        .header("If-None-Match", "\"1\"")
        .send()
        .await
        .expect("sent");
    assert_eq!(unchanged.status(), 304);
    assert_eq!(entries_of(&db, &request_id(&unchanged)).await, 1);
}

/// An entry written straight into the table (as a store does inside its transaction).
fn raw_entry(event: &str) -> String {
    format!(
        "INSERT INTO access_log (recorded_at, event, action, outcome, status, purpose) \
         VALUES ('2026-11-25T10:00:00Z', '{event}', 'R', 'success', 200, 'care-coordination')"
    )
}

/// Seals until `expected` entries were sealed or the chance is gone; returns how many.
/// On PostgreSQL an entry is final once every older transaction in the cluster has
/// ended, and other tests' transactions run meanwhile: keep asking, as the sealer does.
async fn seal_until(log: &herstelbrug_persistence::AccessLog, expected: u64) -> u64 {
    let mut sealed = 0;
    for _ in 0..200 {
        sealed += log.seal().await.expect("seals");
        if sealed >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    sealed
}

#[tokio::test]
async fn the_sealer_never_skips_an_entry_whose_transaction_commits_late() {
    use sea_orm::TransactionTrait;
    let db = TestDatabase::fresh().await;
    let conn = herstelbrug_persistence::connect(db.url(), 4)
        .await
        .expect("connects");
    conn.migrate().await.expect("migrates");
    let log = herstelbrug_persistence::AccessLog::new(conn.conn.clone());
    if conn.backend() == DbBackend::Postgres {
        // A long write: its entry gets the lower id, but commits after a later one.
        let slow = conn.conn.begin().await.expect("begins");
        slow.execute_unprepared(&raw_entry("slow"))
            .await
            .expect("inserts");
        conn.conn
            .execute_unprepared(&raw_entry("fast"))
            .await
            .expect("inserts");
        assert_eq!(log.seal().await.expect("seals"), 0, "nothing is final yet");
        slow.commit().await.expect("commits");
    } else {
        // One writer at a time: entries are final in id order as they commit.
        for event in ["slow", "fast"] {
            conn.conn
                .execute_unprepared(&raw_entry(event))
                .await
                .expect("inserts");
        }
    }
    assert_eq!(seal_until(&log, 2).await, 2);
    conn.conn
        .execute_unprepared(&raw_entry("later"))
        .await
        .expect("inserts");
    assert_eq!(seal_until(&log, 1).await, 1);
    assert_eq!(log.seal().await.expect("seals"), 0, "sealed once only");
    assert_eq!(
        count(&conn.conn, "SELECT COUNT(*) AS n FROM access_log_seal").await,
        count(&conn.conn, "SELECT COUNT(*) AS n FROM access_log").await
    );
    let walked = log
        .walk(&std::collections::BTreeSet::new())
        .await
        .expect("verifies");
    assert_eq!(walked.broken, None);
}

#[tokio::test]
async fn a_refused_create_is_logged_without_naming_an_id_that_was_never_created() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    app.register_id(PROVIDER_A, "client-1").await;
    let again = app
        .post(
            "/v1/trajectories",
            &token(PROVIDER_A, "provider"),
            &json!({"client_ref": "client-1", "municipality": NIJMEGEN, "started_on": "2026-01-05"}),
        )
        .await;
    assert_eq!(again.status(), 409);
    let request_id = again.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(entries_of(&db, &request_id).await, 1);
    let unnamed = entries_where(
        &db,
        &request_id,
        "trajectory_id IS NULL AND outcome = 'refused'",
    )
    .await;
    assert_eq!(unnamed, 1);
}

#[tokio::test]
async fn concurrent_reads_each_get_exactly_one_entry_from_the_shared_batches() {
    let db = TestDatabase::fresh().await;
    let app = TestApp::spawn_on(&db).await;
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, "client-batch").await;
    let path = format!("/v1/trajectories/{trajectory}");
    let reads = (0..60).map(|_| app.get(&path, &provider));
    let responses = futures::future::join_all(reads).await;
    let mut ids = std::collections::HashSet::new();
    for response in &responses {
        assert_eq!(response.status(), 200);
        ids.insert(
            response.headers()["x-request-id"]
                .to_str()
                .expect("ascii")
                .to_owned(),
        );
    }
    assert_eq!(ids.len(), 60);
    for id in &ids {
        assert_eq!(entries_of(&db, id).await, 1, "request {id}");
    }
}
