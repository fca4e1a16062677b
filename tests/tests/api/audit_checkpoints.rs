//! Signed checkpoints make the access log prove itself: a cut tail, an edit resealed
//! after the fact and a removed checkpoint are each caught by `herstelbrug audit verify`;
//! an exported bundle verifies offline with only the public key, and fails after one
//! byte changes; a rotated key continues the chain.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use sea_orm::{ConnectionTrait, DbBackend};

use crate::helpers::{PROVIDER_A, TestApp, TestDatabase, token};

/// The CLI against a test's database, with a signing key and a checkpoint file of its own.
struct Audit {
    url: String,
    dir: tempfile::TempDir,
    key: String,
}

fn key_text(seed: u8) -> String {
    base64::engine::general_purpose::STANDARD.encode([seed; 32])
}

impl Audit {
    fn new(db: &TestDatabase) -> Self {
        Self {
            url: db.url().to_owned(),
            dir: tempfile::tempdir().expect("temp dir"),
            key: key_text(7),
        }
    }

    fn checkpoint_file(&self) -> PathBuf {
        self.dir.path().join("checkpoints.jsonl")
    }

    /// Runs the command off the test's runtime thread: the app under test shares that
    /// thread, and a command waiting for the sealer's lock must not stop the app that
    /// holds it.
    async fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("DATABASE_URL", &self.url)
            .env("HERSTELBRUG_JWT_SECRET", crate::helpers::SECRET)
            .env("HERSTELBRUG_AUDIT_KEY", &self.key)
            .env("HERSTELBRUG_AUDIT_CHECKPOINT_FILE", self.checkpoint_file())
            .env("RUST_LOG", "warn");
        tokio::task::spawn_blocking(move || command.output().expect("runs"))
            .await
            .expect("joins")
    }

    async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    async fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(!out.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Checkpoints until one covers every entry: on PostgreSQL an entry is chained only
    /// once every older transaction in the cluster (other tests') has ended.
    async fn checkpoint_everything(&self) -> i64 {
        for _ in 0..200 {
            let said = self.ok(&["audit", "verify"]).await;
            if said.contains(", 0 waiting") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let line = self.ok(&["audit", "checkpoint"]).await;
        let checkpoint: serde_json::Value = serde_json::from_str(line.trim()).expect("json");
        checkpoint["entries"].as_i64().expect("entries")
    }

    async fn public_key(&self) -> PathBuf {
        let path = self.dir.path().join("audit.pub");
        std::fs::write(&path, self.ok(&["audit", "public-key"]).await).expect("writes");
        path
    }
}

/// The database's owner with the append-only guards switched off for `tables`.
async fn unguarded(url: &str, tables: &[&str]) -> sea_orm::DatabaseConnection {
    let conn = herstelbrug_persistence::connect(url, 1)
        .await
        .expect("connects")
        .conn;
    for table in tables {
        let statements = match conn.get_database_backend() {
            DbBackend::Postgres => vec![format!(
                "ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"
            )],
            _ => vec![
                format!("DROP TRIGGER {table}_no_update"),
                format!("DROP TRIGGER {table}_no_delete"),
            ],
        };
        for statement in statements {
            conn.execute_unprepared(&statement).await.expect("unguards");
        }
    }
    conn
}

/// A new trajectory for `client`, read `n` times: `n + 1` entries.
async fn some_entries(app: &TestApp, client: &str, n: usize) {
    let provider = token(PROVIDER_A, "provider");
    let trajectory = app.register_id(PROVIDER_A, client).await;
    for _ in 0..n {
        let read = app
            .get(&format!("/v1/trajectories/{trajectory}"), &provider)
            .await;
        assert_eq!(read.status(), 200);
    }
}

async fn started(db: &TestDatabase, audit: &Audit) -> TestApp {
    let (key, file) = (audit.key.clone(), audit.checkpoint_file());
    TestApp::spawn_on_with(db, |config| {
        config.audit_key = Some(key);
        config.audit_checkpoint_file = Some(file);
    })
    .await
}

#[tokio::test]
async fn cutting_the_logs_tail_is_caught_against_a_checkpoint() {
    let db = TestDatabase::fresh().await;
    let audit = Audit::new(&db);
    let app = started(&db, &audit).await;
    some_entries(&app, "client-1", 4).await;
    let entries = audit.checkpoint_everything().await;
    assert!(entries >= 5, "{entries}");
    let said = audit.ok(&["audit", "verify"]).await;
    assert!(
        said.contains("intact") && said.contains("checkpoint(s) verified"),
        "{said}"
    );

    // The owner removes the last two chained entries and their seals: the chain that is
    // left is whole, and only the checkpoint knows it was longer.
    let conn = unguarded(&audit.url, &["access_log", "access_log_seal"]).await;
    let cut = format!(
        "SELECT entry_id FROM access_log_seal WHERE seq > (SELECT seq FROM access_log_seal ORDER BY seq LIMIT 1 OFFSET {})",
        entries - 3
    );
    conn.execute_unprepared(&format!("DELETE FROM access_log WHERE id IN ({cut})"))
        .await
        .expect("cuts entries");
    conn.execute_unprepared(&format!(
        "DELETE FROM access_log_seal WHERE seq > (SELECT seq FROM access_log_seal ORDER BY seq LIMIT 1 OFFSET {})",
        entries - 3
    ))
    .await
    .expect("cuts seals");
    let said = audit.fails(&["audit", "verify"]).await;
    assert!(said.contains("the log was cut"), "{said}");
    assert!(!said.contains("broken at entry"), "{said}");
}

#[tokio::test]
async fn an_edit_resealed_after_the_fact_is_caught_against_a_checkpoint() {
    let db = TestDatabase::fresh().await;
    let audit = Audit::new(&db);
    let app = started(&db, &audit).await;
    some_entries(&app, "client-2", 3).await;
    audit.checkpoint_everything().await;

    // The owner changes the second entry and has the chain recomputed from there:
    // removing the seals lets the sealer chain the altered entry as if it were new.
    let conn = unguarded(&audit.url, &["access_log", "access_log_seal"]).await;
    let second = "(SELECT entry_id FROM access_log_seal ORDER BY seq LIMIT 1 OFFSET 1)";
    conn.execute_unprepared(&format!(
        "UPDATE access_log SET org = 'agb:99999999' WHERE id = {second}"
    ))
    .await
    .expect("alters");
    conn.execute_unprepared(
        "DELETE FROM access_log_seal WHERE seq >= (SELECT seq FROM access_log_seal ORDER BY seq LIMIT 1 OFFSET 1)",
    )
    .await
    .expect("unseals");
    let said = audit.fails(&["audit", "verify"]).await;
    assert!(said.contains("changed and resealed"), "{said}");
    // The chain alone is whole again: without the checkpoint nothing would show.
    assert!(!said.contains("broken at entry"), "{said}");
}

#[tokio::test]
async fn a_checkpoint_removed_from_the_database_or_from_both_copies_is_caught() {
    let db = TestDatabase::fresh().await;
    let audit = Audit::new(&db);
    let app = started(&db, &audit).await;
    some_entries(&app, "client-3", 1).await;
    audit.checkpoint_everything().await;
    some_entries(&app, "client-4", 1).await;
    audit.checkpoint_everything().await;
    assert!(audit.ok(&["audit", "verify"]).await.contains("intact"));

    let conn = unguarded(&audit.url, &["access_log_checkpoints"]).await;
    conn.execute_unprepared("DELETE FROM access_log_checkpoints WHERE number = 1")
        .await
        .expect("removes");
    let said = audit.fails(&["audit", "verify"]).await;
    assert!(
        said.contains("checkpoint 1 is in the outside copy but was removed from the database"),
        "{said}"
    );

    // Removed from the outside copy as well: the numbering still shows the gap.
    let file = audit.checkpoint_file();
    let text = std::fs::read_to_string(&file).expect("reads");
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with("{\"number\":1,"))
        .collect();
    std::fs::write(&file, kept.join("\n") + "\n").expect("writes");
    let said = audit.fails(&["audit", "verify"]).await;
    assert!(said.contains("checkpoints before 2 are missing"), "{said}");
}

/// `bundle` checked by a fresh process with no database, no settings and only `key`.
fn verify_offline(bundle: &Path, key: &Path) -> Output {
    let elsewhere = tempfile::tempdir().expect("temp dir");
    Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"))
        .args(["audit", "verify-export"])
        .arg(bundle)
        .arg("--public-key")
        .arg(key)
        .current_dir(elsewhere.path())
        .env_clear()
        .output()
        .expect("runs")
}

#[tokio::test]
async fn an_exported_bundle_verifies_with_only_the_public_key_and_not_after_one_byte_changes() {
    let db = TestDatabase::fresh().await;
    let audit = Audit::new(&db);
    let app = started(&db, &audit).await;
    some_entries(&app, "client-5", 3).await;
    audit.checkpoint_everything().await;
    let bundle = audit.dir.path().join("export.bundle");
    let said = audit
        .ok(&[
            "audit",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--org",
            PROVIDER_A,
            "--out",
            bundle.to_str().expect("utf-8"),
        ])
        .await;
    assert!(said.contains("covered by checkpoint"), "{said}");
    let key = audit.public_key().await;
    let verified = verify_offline(&bundle, &key);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(said.contains("bundle intact: 4 entries"), "{said}");

    // One client's entries: about that client's trajectory only.
    let client_bundle = audit.dir.path().join("client.bundle");
    audit
        .ok(&[
            "audit",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--client",
            "client-5",
            "--out",
            client_bundle.to_str().expect("utf-8"),
        ])
        .await;
    let client_text = std::fs::read_to_string(&client_bundle).expect("reads");
    let client_body: serde_json::Value =
        serde_json::from_str(client_text.lines().next().expect("body")).expect("json");
    let about = client_body["entries"].as_array().expect("entries");
    assert_eq!(about.len(), 4, "{about:?}");
    let trajectory = about
        .iter()
        .find_map(|e| e["trajectory_id"].as_str())
        .expect("a read names the trajectory");
    assert!(
        about
            .iter()
            .all(|e| e["client_ref"] == "client-5" || e["trajectory_id"] == trajectory),
        "{about:?}"
    );
    assert!(verify_offline(&client_bundle, &key).status.success());

    // Every entry of the organisation, none of another.
    let text = std::fs::read_to_string(&bundle).expect("reads");
    let body: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("body")).expect("json");
    let entries = body["entries"].as_array().expect("entries");
    assert!(
        entries.iter().all(|e| e["org"] == PROVIDER_A),
        "{entries:?}"
    );

    // One byte changed, anywhere that matters: an entry's organisation digit.
    let changed = text.replacen(PROVIDER_A, &PROVIDER_A.replace('1', "2"), 1);
    assert_ne!(changed, text);
    std::fs::write(&bundle, &changed).expect("writes");
    let refused = verify_offline(&bundle, &key);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("signature does not verify"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // Another key is not trusted.
    let stranger = audit.dir.path().join("stranger.pub");
    std::fs::write(&bundle, &text).expect("restores");
    std::fs::write(
        &stranger,
        audit
            .ok(&["audit", "keygen", "--out", "stranger.pem"])
            .await,
    )
    .expect("writes");
    assert!(!verify_offline(&bundle, &stranger).status.success());
    assert!(verify_offline(&bundle, &key).status.success());
}

#[tokio::test]
async fn a_rotated_key_continues_the_chain_and_the_old_key_still_verifies_it() {
    let db = TestDatabase::fresh().await;
    let mut audit = Audit::new(&db);
    let app = started(&db, &audit).await;
    some_entries(&app, "client-6", 2).await;
    audit.checkpoint_everything().await;
    let old_public = audit.public_key().await;
    let old_copy = audit.dir.path().join("old.pub");
    std::fs::copy(&old_public, &old_copy).expect("copies");

    std::fs::write(
        audit.dir.path().join("new.key"),
        format!("{}\n", key_text(9)),
    )
    .expect("writes");
    let said = audit.ok(&["audit", "rotate", "--new-key", "new.key"]).await;
    assert!(
        said.contains("now set HERSTELBRUG_AUDIT_KEY_FILE"),
        "{said}"
    );
    audit.key = key_text(9);
    some_entries(&app, "client-7", 1).await;
    audit.checkpoint_everything().await;
    // The new key's checkpoints verify, and so do the old key's before the rotation.
    assert!(audit.ok(&["audit", "verify"]).await.contains("intact"));

    // A supervisor who holds only the old public key verifies an export the new key signed.
    let bundle = audit.dir.path().join("after-rotation.bundle");
    audit
        .ok(&[
            "audit",
            "export",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--out",
            bundle.to_str().expect("utf-8"),
        ])
        .await;
    let verified = verify_offline(&bundle, &old_copy);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}
