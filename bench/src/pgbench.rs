//! The database's own ceiling for the work an API request does, measured with `pgbench`
//! and custom scripts on the same database: one transaction that updates a row and
//! inserts an event (a transition's core), a plain insert, a prepared primary-key read,
//! and the same-work scripts `replay` builds from a request's own statements.

use std::process::Command;

use sea_orm::{ConnectionTrait, DatabaseConnection};

const ROWS: u64 = 100_000;

const WRITE: &str = "\\set id random(1, 100000)
BEGIN;
UPDATE pgb_trajectories SET version = version + 1, phase = 'social_support', updated_at = now() WHERE id = :id;
INSERT INTO pgb_events (trajectory_id, version, change, recorded_at) VALUES (:id, 2, '{\"to\": \"social_support\", \"reason\": \"planned_completion\"}', now());
END;
";

const INSERT: &str = "INSERT INTO pgb_events (trajectory_id, version, change, recorded_at) \
VALUES (1, 1, '{\"to\": \"treatment\"}', now());
";

const READ: &str = "\\set id random(1, 100000)
SELECT * FROM pgb_trajectories WHERE id = :id;
";

/// What pgbench reported for one script.
pub struct Ceiling {
    pub transactions: u64,
    pub tps: f64,
    pub latency_ms: f64,
}

/// Creates the tables the scripts use, shaped like `trajectories` and `trajectory_events`.
pub async fn prepare(conn: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    for sql in [
        "CREATE TABLE pgb_trajectories (id BIGINT PRIMARY KEY, client_ref VARCHAR(64) NOT NULL, \
         treating_provider VARCHAR(16) NOT NULL, municipality VARCHAR(16) NOT NULL, phase VARCHAR(20) NOT NULL, \
         version INTEGER NOT NULL, started_on DATE NOT NULL, updated_at TIMESTAMPTZ NOT NULL)"
            .to_owned(),
        format!(
            "INSERT INTO pgb_trajectories SELECT n, 'bench-' || n, 'agb:12345678', 'gemeente:0268', \
             'treatment', 1, DATE '2026-01-05', now() FROM generate_series(1, {ROWS}) AS n"
        ),
        "CREATE TABLE pgb_events (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
         trajectory_id BIGINT NOT NULL, version INTEGER NOT NULL, change JSONB NOT NULL, \
         recorded_at TIMESTAMPTZ NOT NULL)"
            .to_owned(),
        "CREATE INDEX ix_pgb_events ON pgb_events (trajectory_id, version)".to_owned(),
        "ANALYZE pgb_trajectories".to_owned(),
    ] {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// The text of a built-in script: "write", "read" or "insert".
pub fn builtin(name: &str) -> &'static str {
    match name {
        "write" => WRITE,
        "insert" => INSERT,
        _ => READ,
    }
}

/// Runs `text` as a pgbench script for `seconds` with `clients` connections.
pub fn run(
    url: &str,
    text: &str,
    clients: usize,
    seconds: u64,
) -> Result<Ceiling, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("script.sql");
    std::fs::write(&path, text)?;
    let out = Command::new("pgbench")
        .args(["-n", "-M", "prepared", "-j", "2"])
        .args(["-c", &clients.to_string(), "-T", &seconds.to_string()])
        .arg("-f")
        .arg(&path)
        .arg(url)
        .output()
        .map_err(|e| format!("pgbench: {e} (install postgresql-client)"))?;
    let printed = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("pgbench failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    // A script whose statements fail aborts its clients; its rate would mean nothing.
    if let Some(failed) = printed
        .lines()
        .find(|l| l.contains("number of failed transactions"))
        && !failed.contains(": 0 ")
    {
        return Err(format!(
            "pgbench: {failed}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let number = |prefix: &str| {
        printed
            .lines()
            .find_map(|line| line.trim().strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
    };
    Ok(Ceiling {
        transactions: number("number of transactions actually processed: ").unwrap_or(0.0) as u64,
        tps: number("tps = ").ok_or("pgbench printed no tps")?,
        latency_ms: number("latency average = ").unwrap_or(0.0),
    })
}
