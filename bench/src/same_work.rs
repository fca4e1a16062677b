//! Captures what one transition pair, one read and one registration send to PostgreSQL,
//! through a server of their own on the benchmark's database while that database logs
//! every statement, and turns each into a pgbench script (see `replay`).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use reqwest::{Client, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::replay::{self, Logged, Target};
use crate::server::Server;

type BoxError = Box<dyn std::error::Error>;

/// The three scripts, and how many statements each request sent.
pub struct Scripts {
    /// A transition to social_support and back on one fresh trajectory: two requests.
    pub transitions: String,
    pub read: String,
    pub register: String,
    pub statements: [usize; 4],
}

/// The newest log file of the local PostgreSQL (Debian keeps them in /var/log/postgresql).
pub fn log_file() -> Option<PathBuf> {
    std::fs::read_dir("/var/log/postgresql")
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path())
}

/// What the log has gained since `offset`.
fn read_from(log: &Path, offset: u64) -> Result<String, BoxError> {
    let mut file = std::fs::File::open(log)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(text)
}

fn length(log: &Path) -> Result<u64, BoxError> {
    Ok(std::fs::metadata(log)?.len())
}

/// Seeded trajectories numbered for the scripts to pick, the ones the API phases use
/// (the first by client_ref) last; `pgb_pick_seq` hands out untouched ones from 2 on.
async fn prepare(conn: &DatabaseConnection) -> Result<(String, String), BoxError> {
    for sql in [
        "CREATE TABLE pgb_pick AS SELECT row_number() OVER (ORDER BY client_ref DESC) AS n, id, client_ref FROM trajectories",
        "ALTER TABLE pgb_pick ADD PRIMARY KEY (n)",
        "CREATE SEQUENCE pgb_pick_seq START 2",
        "ANALYZE pgb_pick",
    ] {
        conn.execute_unprepared(sql).await?;
    }
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT id, client_ref FROM pgb_pick WHERE n = 1",
        ))
        .await?
        .ok_or("no seeded trajectory")?;
    Ok((
        row.try_get::<uuid::Uuid>("", "id")?.to_string(),
        row.try_get("", "client_ref")?,
    ))
}

/// Sends one request and returns the statements that mention `target` (or, if `None`,
/// the id in the answer) from what the log gained meanwhile.
async fn one(
    log: &Path,
    database: &str,
    request: reqwest::RequestBuilder,
    expected: StatusCode,
    target: Option<&str>,
) -> Result<Vec<Logged>, BoxError> {
    let offset = length(log)?;
    let response = request.send().await?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if status != expected {
        return Err(format!("capture: expected {expected}, got {status}: {body}").into());
    }
    let target = match target {
        Some(t) => t.to_owned(),
        None => body["id"].as_str().ok_or("no id in the answer")?.to_owned(),
    };
    let logged = replay::parse_log(&read_from(log, offset)?, database);
    let statements = replay::request_statements(&logged, &target);
    if statements.is_empty() {
        return Err(format!(
            "capture: no statement of {database} mentions {target} in {}; is log_statement allowed here?",
            log.display()
        )
        .into());
    }
    Ok(statements)
}

pub async fn capture(
    conn: &DatabaseConnection,
    url: &str,
    bin: &Path,
    log: &Path,
    provider: &str,
) -> Result<Scripts, BoxError> {
    let database = url.rsplit('/').next().unwrap_or_default().to_owned();
    let (tid, client_ref) = prepare(conn).await?;
    conn.execute_unprepared(&format!(
        "ALTER DATABASE \"{database}\" SET log_statement = 'all'"
    ))
    .await?;
    let captured = async {
        let server = Server::start(bin, url, &[]).await?;
        let token = server.token(provider, "provider")?;
        let client = Client::new();
        let base = &server.base;
        let transition = |version: u32, body: &'static str| {
            client
                .post(format!("{base}/v1/trajectories/{tid}/transitions"))
                .bearer_auth(&token)
                .header("If-Match", format!("\"{version}\""))
                .header("Content-Type", "application/json")
                .body(body)
        };
        let forward = transition(
            1,
            r#"{"to": "social_support", "reason": "planned_completion"}"#,
        );
        let forward = one(log, &database, forward, StatusCode::OK, Some(&tid)).await?;
        let back = transition(2, r#"{"to": "treatment", "reason": "relapse"}"#);
        let back = one(log, &database, back, StatusCode::OK, Some(&tid)).await?;
        let read = client
            .get(format!("{base}/v1/trajectories/{tid}"))
            .bearer_auth(&token);
        let read = one(log, &database, read, StatusCode::OK, Some(&tid)).await?;
        let register = client
            .post(format!("{base}/v1/trajectories"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "client_ref": uuid::Uuid::new_v4().to_string(),
                "municipality": "gemeente:0268",
                "started_on": "2026-01-05",
            }));
        let register = one(log, &database, register, StatusCode::CREATED, None).await?;
        Ok::<_, BoxError>((forward, back, read, register))
    }
    .await;
    conn.execute_unprepared(&format!(
        "ALTER DATABASE \"{database}\" RESET log_statement"
    ))
    .await?;
    let (forward, back, read, register) = captured?;
    let statements = [forward.len(), back.len(), read.len(), register.len()];
    let rows: i64 = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT count(*) AS n FROM pgb_pick",
        ))
        .await?
        .ok_or("pgb_pick is empty")?
        .try_get("", "n")?;
    Ok(Scripts {
        transitions: replay::script(
            &[forward, back],
            Target::Seeded {
                id: &tid,
                client_ref: &client_ref,
                pick: "SELECT nextval('pgb_pick_seq')",
            },
        ),
        read: format!(
            "\\set n random(1, {rows})\n{}",
            replay::script(
                &[read],
                Target::Seeded {
                    id: &tid,
                    client_ref: &client_ref,
                    pick: ":n",
                }
            )
        ),
        register: replay::script(&[register], Target::Fresh),
        statements,
    })
}
