//! Continuity figures over a year of 1,000,000 trajectories: the facts such a year leaves,
//! written as deltas (summed per key, as many writes would leave them) and folded into the
//! rollups by the store's own fold (timed), leaving a backlog of unfolded deltas; then the
//! figures query as dashboards and an administrator run it, timed at the store level.
//! The facts are synthetic, with the distributions of the demo (not written through a
//! million API calls: the fold and the read are what is measured here; recording facts is
//! part of each write the API benchmark times).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use herstelbrug_domain::catalog::WaitingPolicy;
use herstelbrug_domain::figures::{Grouping, Interval, PeriodRange, ReportQuery};
use herstelbrug_domain::{AgbCode, GemeenteCode, ReferralKind, Rule};
use herstelbrug_persistence::{Database, FigureScope, FiguresStore};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::{ms, percentile};

type Key = (
    i32,
    String,
    String,
    String,
    String,
    &'static str,
    String,
    i32,
);

const PROVIDERS: u64 = 300;
const MUNICIPALITIES: u64 = 342;

fn provider(p: u64) -> String {
    format!("agb:{:08}", 7_000_000 + p)
}

fn municipality(m: u64) -> String {
    format!("gemeente:{:04}", m % MUNICIPALITIES + 1)
}

/// A small deterministic generator, as the demo's.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D) % below.max(1)
    }
}

/// The cells a year of `trajectories` leaves, keyed as the fold writes them.
fn cells(trajectories: u64, months: &[i32]) -> HashMap<Key, i64> {
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let mut cells: HashMap<Key, i64> = HashMap::new();
    let kinds = ReferralKind::ALL;
    let gaps: Vec<Rule> = Rule::ALL.iter().copied().filter(|r| r.is_gap()).collect();
    for i in 0..trajectories {
        let p = dice.next(PROVIDERS);
        // A provider serves five neighbouring municipalities; the first of them most.
        let m = p * MUNICIPALITIES / PROVIDERS + dice.next(5).min(dice.next(5));
        let month = months[usize::try_from(dice.next(months.len() as u64)).unwrap_or(0)];
        let (prov, muni) = (provider(p), municipality(m));
        let kind = kinds[usize::try_from(dice.next(kinds.len() as u64)).unwrap_or(0)].as_str();
        let service = format!("00000000-0000-7000-8000-{:012}", m * 4 + dice.next(4));
        let mut add = |metric: &'static str, kind: &str, service: &str, detail: &str, days: i32| {
            *cells
                .entry((
                    month,
                    prov.clone(),
                    muni.clone(),
                    kind.to_owned(),
                    service.to_owned(),
                    metric,
                    detail.to_owned(),
                    days,
                ))
                .or_default() += 1;
        };
        add("ending", "", "", "", 0);
        let roll = dice.next(100);
        if roll < 62 {
            add("ending_with_follow_up", "", "", "", 0);
        } else if roll < 72 {
            add("ending_no_follow_up_needed", "", "", "", 0);
        } else {
            let rule = gaps[usize::try_from(dice.next(gaps.len() as u64)).unwrap_or(0)];
            add("alert_opened", "", "", rule.as_str(), 0);
            if dice.next(3) == 0 {
                add("alert_escalated", "", "", rule.as_str(), 0);
            }
            add(
                "gap_closed",
                "",
                "",
                "",
                i32::try_from(dice.next(40)).unwrap_or(0),
            );
        }
        if roll > 90 {
            add("dropout", "", "", "", 0);
        }
        if i % 40 == 0 {
            add("readmission", "", "", "", 0);
        }
        if dice.next(10) < 8 {
            let to_acceptance = i32::try_from(dice.next(35)).unwrap_or(0);
            let to_start = i32::try_from(dice.next(60)).unwrap_or(0);
            add("referral_accepted", kind, &service, "", 0);
            add("wait_to_acceptance", kind, &service, "", to_acceptance);
            add("wait_to_start", kind, &service, "", to_start);
            add("wait_total", kind, &service, "", to_acceptance + to_start);
            add(
                "days_to_follow_up",
                kind,
                &service,
                "",
                i32::try_from(dice.next(50)).unwrap_or(0),
            );
        } else {
            add("referral_rejected", kind, &service, "no_capacity", 0);
        }
        add(
            "alert_opened",
            "",
            "",
            "end_approaching_without_followup",
            0,
        );
    }
    cells
}

async fn insert(
    db: &Database,
    table: &str,
    rows: &[(&Key, &i64)],
) -> Result<(), Box<dyn std::error::Error>> {
    let backend = db.backend();
    for chunk in rows.chunks(1_000) {
        let mut sql = format!(
            "INSERT INTO {table} (month, provider, municipality, kind, service, metric, detail, days, count) VALUES "
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 9);
        for (n, (k, count)) in chunk.iter().enumerate() {
            if n > 0 {
                sql.push(',');
            }
            let base = values.len();
            let marks: Vec<String> = (1..=9)
                .map(|i| match backend {
                    DbBackend::Postgres => format!("${}", base + i),
                    _ => "?".to_owned(),
                })
                .collect();
            sql.push_str(&format!("({})", marks.join(",")));
            values.extend([
                k.0.into(),
                k.1.clone().into(),
                k.2.clone().into(),
                k.3.clone().into(),
                k.4.clone().into(),
                k.5.into(),
                k.6.clone().into(),
                k.7.into(),
                (**count).into(),
            ]);
        }
        db.conn
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

pub async fn run(
    db: &Database,
    trajectories: u64,
    deltas: usize,
    requests: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let today = Utc::now().date_naive();
    let range = PeriodRange::parse(Interval::Month, None, None, today)?;
    let months: Vec<i32> = range
        .periods()
        .iter()
        .map(|p| p.months().0.yyyymm())
        .collect();
    let started = Instant::now();
    let cells = cells(trajectories, &months);
    let mut rows: Vec<(&Key, &i64)> = cells.iter().collect();
    rows.sort();
    // The newest changes are still deltas, as between two folds.
    let (backlog, folded) = rows.split_at(deltas.min(rows.len()));
    insert(db, "figure_deltas", folded).await?;
    println!(
        "{trajectories} trajectories over {} months: {} fact keys written as deltas in {:.1} s",
        months.len(),
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    let store = FiguresStore::new(db.conn.clone());
    let folding = Instant::now();
    let mut total = 0;
    loop {
        let n = store.fold(20_000).await?;
        if n == 0 {
            break;
        }
        total += n;
    }
    let fold_time = folding.elapsed();
    insert(db, "figure_deltas", backlog).await?;
    let rollups = {
        let row = db
            .conn
            .query_one_raw(Statement::from_string(
                db.backend(),
                "SELECT COUNT(*) AS n FROM figure_rollups",
            ))
            .await?
            .ok_or("no count")?;
        row.try_get::<i64>("", "n")?
    };
    if db.backend() == DbBackend::Postgres {
        // The fold deleted 4 million deltas at once, which never happens between two
        // ticks: compact the table to the size it has in steady state (a few thousand rows).
        if std::env::var_os("BENCH_KEEP_BLOATED_DELTAS").is_none() {
            db.conn
                .execute_unprepared("VACUUM FULL figure_deltas")
                .await?;
        }
        db.conn.execute_unprepared("VACUUM ANALYZE").await?;
    } else {
        db.conn.execute_unprepared("ANALYZE").await?;
    }
    println!(
        "folded {total} deltas into {rollups} rollup rows in {:.1} s ({:.0} deltas/s); {} left unfolded",
        fold_time.as_secs_f64(),
        total as f64 / fold_time.as_secs_f64(),
        backlog.len()
    );
    let largest = GemeenteCode::parse(&municipality(MUNICIPALITIES / 2 - 1)[9..])?;
    let one_provider = AgbCode::parse(&provider(150)[4..])?;
    let cases = [
        (
            "municipality dashboard, by provider",
            FigureScope::Municipality(largest),
            Grouping::Provider,
        ),
        (
            "municipality dashboard, by kind",
            FigureScope::Municipality(largest),
            Grouping::Kind,
        ),
        (
            "provider dashboard, by municipality",
            FigureScope::Provider(one_provider),
            Grouping::Municipality,
        ),
        (
            "provider dashboard, by service",
            FigureScope::Provider(one_provider),
            Grouping::Service,
        ),
        (
            "administrator, by municipality",
            FigureScope::All,
            Grouping::Municipality,
        ),
        ("administrator, by kind", FigureScope::All, Grouping::Kind),
    ];
    println!("| reader, grouping | groups | p50 | p99 | max |");
    println!("| --- | --- | --- | --- | --- |");
    for (label, scope, grouping) in cases {
        let query = ReportQuery {
            range: range.clone(),
            grouping,
            norms: WaitingPolicy::default(),
        };
        let mut times: Vec<Duration> = Vec::with_capacity(requests);
        let mut groups = 0;
        for _ in 0..requests {
            let at = Instant::now();
            let report = store.continuity(scope, &query).await?;
            times.push(at.elapsed());
            groups = report.groups.len();
        }
        times.sort();
        println!(
            "| {label} | {groups} | {:.1} ms | {:.1} ms | {:.1} ms |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(times.last().copied().unwrap_or_default()),
        );
    }
    Ok(())
}
