//! Bulk seeding inside the database (one INSERT ... SELECT per table), so a million rows
//! take seconds. `due` trajectories ended treatment without follow-up and have a timer due
//! now (firing opens an alert); the others are in treatment with a timer a year ahead.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

/// The text form sqlx gives a `DateTime<Utc>` on SQLite, so seeded and bound times compare.
fn sqlite_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

pub async fn trajectories(
    conn: &DatabaseConnection,
    size: u64,
    due: u64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let past = now - chrono::Duration::minutes(1);
    let future = now + chrono::Duration::days(365);
    let statements: Vec<String> = match backend {
        DbBackend::Postgres => vec![
            format!(
                "INSERT INTO trajectories (id, client_ref, treating_provider, municipality, phase, started_on, \
                 phase_since, treatment_ended_on, end_reason, version, created_at, updated_at) \
                 SELECT gen_random_uuid(), 'bench-' || n, 'agb:12345678', 'gemeente:0268', \
                 CASE WHEN n <= {due} THEN 'social_support' ELSE 'treatment' END, DATE '2026-01-05', DATE '2026-01-05', \
                 CASE WHEN n <= {due} THEN DATE '2026-06-01' END, CASE WHEN n <= {due} THEN 'planned_completion' END, \
                 1, now(), now() FROM generate_series(1, {size}) AS n"
            ),
            format!(
                "INSERT INTO timers (trajectory_id, due_at) SELECT id, CASE WHEN phase = 'social_support' \
                 THEN TIMESTAMPTZ '{past}' ELSE TIMESTAMPTZ '{future}' END FROM trajectories",
                past = past.to_rfc3339(),
                future = future.to_rfc3339()
            ),
        ],
        _ => vec![
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {size}) \
                 INSERT INTO trajectories (id, client_ref, treating_provider, municipality, phase, started_on, \
                 phase_since, treatment_ended_on, end_reason, version, created_at, updated_at) \
                 SELECT randomblob(16), 'bench-' || i, 'agb:12345678', 'gemeente:0268', \
                 CASE WHEN i <= {due} THEN 'social_support' ELSE 'treatment' END, '2026-01-05', '2026-01-05', \
                 CASE WHEN i <= {due} THEN '2026-06-01' END, CASE WHEN i <= {due} THEN 'planned_completion' END, \
                 1, '{now}', '{now}' FROM n",
                now = sqlite_time(now)
            ),
            format!(
                "INSERT INTO timers (trajectory_id, due_at) SELECT id, CASE WHEN phase = 'social_support' \
                 THEN '{past}' ELSE '{future}' END FROM trajectories",
                past = sqlite_time(past),
                future = sqlite_time(future)
            ),
        ],
    };
    for sql in statements {
        conn.execute_raw(Statement::from_string(backend, sql))
            .await?;
    }
    Ok(())
}

/// A referral history behind the catalog's measured waiting times: `per_service`
/// completed referrals to every service, asked 42 to 56 days ago, accepted 0 to 27 days
/// later and started a week after that, so all of it falls in the 61-day window. They hang on
/// one seeded trajectory (closed referrals never clash with the open-referral index).
pub async fn referral_history(
    conn: &DatabaseConnection,
    per_service: u64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    trajectories(conn, 1, 0, now).await?;
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "INSERT INTO referrals (id, trajectory_id, requester, recipient, kind, status, needs, \
             requested_at, decided_at, started_on, ended_on, version, updated_at, service_id) \
             SELECT gen_random_uuid(), (SELECT id FROM trajectories LIMIT 1), 'agb:12345678', \
             s.owner, s.kind, 'completed', 'bench', r.asked, r.asked + make_interval(days => r.wait), \
             (r.asked + make_interval(days => r.wait + 7))::date, \
             (r.asked + make_interval(days => r.wait + 7))::date, 5, now(), s.id \
             FROM services s CROSS JOIN LATERAL ( \
               SELECT TIMESTAMPTZ '{now}' - make_interval(days => 42 + (k * 13 + length(s.name)) % 15) AS asked, \
                      (k * 7 + length(s.name)) % 28 AS wait \
               FROM generate_series(1, {per_service}) AS k) r",
            now = now.to_rfc3339()
        ),
        _ => format!(
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {per_service}), \
             r AS (SELECT s.id AS sid, s.owner, s.kind, \
                     42 + (k.i * 13 + length(s.name)) % 15 AS ago, (k.i * 7 + length(s.name)) % 28 AS wait \
                   FROM services s CROSS JOIN k) \
             INSERT INTO referrals (id, trajectory_id, requester, recipient, kind, status, needs, \
             requested_at, decided_at, started_on, ended_on, version, updated_at, service_id) \
             SELECT randomblob(16), (SELECT id FROM trajectories LIMIT 1), 'agb:12345678', owner, kind, \
             'completed', 'bench', \
             strftime('%Y-%m-%dT%H:%M:%S+00:00', '{now}', '-' || ago || ' days'), \
             strftime('%Y-%m-%dT%H:%M:%S+00:00', '{now}', '-' || (ago - wait) || ' days'), \
             date('{now}', '-' || (ago - wait - 7) || ' days'), \
             date('{now}', '-' || (ago - wait - 7) || ' days'), 5, '{stamp}', sid FROM r",
            now = now.format("%Y-%m-%d %H:%M:%S"),
            stamp = sqlite_time(now)
        ),
    };
    conn.execute_raw(Statement::from_string(backend, sql))
        .await?;
    Ok(())
}
