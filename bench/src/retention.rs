//! The retention job over closed trajectories past their term: seeded in bulk inside the
//! database (each with a referral holding contact details, a naaste and its registration
//! event), then `RetentionStore::round` as the daily job runs it, timed; the batch size
//! is the setting's default.

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use herstelbrug_domain::retention::RetentionPolicy;
use herstelbrug_domain::trajectory::event::Change;
use herstelbrug_persistence::{Database, RetentionStore};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

fn registered_template() -> Result<String, Box<dyn std::error::Error>> {
    let change = Change::Registered {
        client_ref: "CLIENTREF".parse()?,
        municipality: "gemeente:0268".parse()?,
        started_on: NaiveDate::from_ymd_opt(2023, 1, 5).ok_or("date")?,
        planned_end_on: None,
    };
    Ok(serde_json::to_string(&change)?)
}

async fn seed(db: &Database, n: u64) -> Result<(), Box<dyn std::error::Error>> {
    let backend = db.conn.get_database_backend();
    let template = registered_template()?.replace('\'', "''");
    let statements: Vec<String> = match backend {
        DbBackend::Postgres => vec![
            format!(
                "INSERT INTO trajectories (id, client_ref, treating_provider, municipality, phase, started_on, \
                 phase_since, treatment_ended_on, end_reason, closure_outcome, version, created_at, updated_at, bsn_matcher, bsn_sealed) \
                 SELECT gen_random_uuid(), 'bench-' || n, 'agb:12345678', 'gemeente:0268', 'closed', DATE '2023-01-05', \
                 DATE '2024-01-01', DATE '2023-12-01', 'planned_completion', 'planned_completion', 3, now(), now(), \
                 md5(n::text), md5(n::text) FROM generate_series(1, {n}) AS n"
            ),
            "INSERT INTO referrals (id, trajectory_id, requester, recipient, kind, status, needs, life_domains, \
             requested_at, version, updated_at, client_name, client_phone, client_email, referrer_name) \
             SELECT gen_random_uuid(), id, 'agb:12345678', 'gemeente:0268', 'housing', 'completed', \
             'Woonruimte en schulden', '', now(), 5, now(), 'J. ' || client_ref, '06-12345678', \
             client_ref || '@example.nl', 'M. de Vries' FROM trajectories".to_owned(),
            "INSERT INTO participants (id, trajectory_id, role, name, phone, relation, joined_on, recorded_at, version) \
             SELECT gen_random_uuid(), id, 'relative', 'Zus van ' || client_ref, '06-1', 'zus', DATE '2023-01-05', now(), 1 \
             FROM trajectories".to_owned(),
            format!(
                "INSERT INTO trajectory_events (trajectory_id, sequence, kind, to_phase, effective_on, actor_subject, \
                 actor_org, recorded_at, data) SELECT id, 1, 'registered', 'treatment', DATE '2023-01-05', 'bench', \
                 'agb:12345678', now(), replace('{template}', 'CLIENTREF', client_ref)::json FROM trajectories"
            ),
        ],
        _ => vec![
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
                 INSERT INTO trajectories (id, client_ref, treating_provider, municipality, phase, started_on, \
                 phase_since, treatment_ended_on, end_reason, closure_outcome, version, created_at, updated_at, bsn_matcher, bsn_sealed) \
                 SELECT randomblob(16), 'bench-' || i, 'agb:12345678', 'gemeente:0268', 'closed', '2023-01-05', \
                 '2024-01-01', '2023-12-01', 'planned_completion', 'planned_completion', 3, '2024-01-01T00:00:00+00:00', \
                 '2024-01-01T00:00:00+00:00', hex(randomblob(32)), hex(randomblob(48)) FROM n"
            ),
            "INSERT INTO referrals (id, trajectory_id, requester, recipient, kind, status, needs, life_domains, \
             requested_at, version, updated_at, client_name, client_phone, client_email, referrer_name) \
             SELECT randomblob(16), id, 'agb:12345678', 'gemeente:0268', 'housing', 'completed', \
             'Woonruimte en schulden', '', '2023-06-01T00:00:00+00:00', 5, '2023-06-01T00:00:00+00:00', \
             'J. ' || client_ref, '06-12345678', client_ref || '@example.nl', 'M. de Vries' FROM trajectories".to_owned(),
            "INSERT INTO participants (id, trajectory_id, role, name, phone, relation, joined_on, recorded_at, version) \
             SELECT randomblob(16), id, 'relative', 'Zus van ' || client_ref, '06-1', 'zus', '2023-01-05', \
             '2023-01-05T00:00:00+00:00', 1 FROM trajectories".to_owned(),
            format!(
                "INSERT INTO trajectory_events (trajectory_id, sequence, kind, to_phase, effective_on, actor_subject, \
                 actor_org, recorded_at, data) SELECT id, 1, 'registered', 'treatment', '2023-01-05', 'bench', \
                 'agb:12345678', '2023-01-05T00:00:00+00:00', replace('{template}', 'CLIENTREF', client_ref) FROM trajectories"
            ),
        ],
    };
    for sql in statements {
        db.conn
            .execute_raw(Statement::from_string(backend, sql))
            .await?;
    }
    Ok(())
}

async fn count(db: &Database, sql: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let backend = db.conn.get_database_backend();
    let row = db
        .conn
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await?
        .ok_or("no row")?;
    Ok(row.try_get::<i64>("", "n")?)
}

pub async fn run(db: &Database, n: u64, batch: u64) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    seed(db, n).await?;
    println!(
        "seeded {n} closed trajectories (each with a referral, a naaste and its registration event) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let store = RetentionStore::new(db.conn.clone(), RetentionPolicy::default());
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).ok_or("date")?;
    let first = Instant::now();
    let (one, _) = store
        .pseudonymise_batch(today, Utc::now(), batch, None)
        .await?;
    let per_batch = first.elapsed();
    let started = Instant::now();
    let round = store.round(today, Utc::now(), batch).await?;
    let took = started.elapsed().as_secs_f64() + per_batch.as_secs_f64();
    let done = round.trajectories_pseudonymised + one;
    println!(
        "retention round: {done} trajectories pseudonymised in {took:.1} s ({:.0}/s), batch of {batch}: first batch {:.0} ms",
        done as f64 / took,
        per_batch.as_secs_f64() * 1000.0
    );
    let left = count(
        db,
        "SELECT COUNT(*) AS n FROM referrals WHERE client_name IS NOT NULL",
    )
    .await?;
    let logged = count(
        db,
        "SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'retention'",
    )
    .await?;
    println!("referrals still holding a name: {left}; removals in the access log: {logged}");
    let again = Instant::now();
    let nothing = store.round(today, Utc::now(), batch).await?;
    println!(
        "a round with nothing due: {} trajectories in {:.0} ms",
        nothing.trajectories_pseudonymised,
        again.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}
