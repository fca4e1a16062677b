//! `herstelbrug-bench`: measures Herstelbrug against a real database. The scheduler
//! benchmark seeds trajectories with timers (a fixed number of them due) at growing sizes
//! and reports the cost of a scheduler tick, to show it follows the number of due timers,
//! not the number of trajectories. Results go into BENCHMARKS.md by hand.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use herstelbrug_domain::ContinuityPolicy;
use herstelbrug_persistence::db::admin;
use herstelbrug_persistence::{FeedSignal, Scheduler, connect};
use sea_orm::{ConnectionTrait, DbBackend};

mod api;
mod catalog;
mod cpu;
mod figures;
mod load;
mod national;
mod pgbench;
mod replay;
mod retention;
mod same_work;
mod seed;
mod server;
mod waits;
mod webhooks;

#[derive(Parser)]
#[command(name = "herstelbrug-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scheduler tick cost at growing numbers of trajectories.
    Scheduler {
        /// `sqlite` (a temporary file) or a PostgreSQL server URL whose database is used
        /// only to create and drop one database per size.
        #[arg(long, default_value = "sqlite")]
        database: String,
        /// Trajectory counts to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
        sizes: Vec<u64>,
        /// How many of them have a due timer.
        #[arg(long, default_value_t = 10_000)]
        due: u64,
        /// Timers claimed per tick.
        #[arg(long, default_value_t = 100)]
        batch: u32,
    },
    /// The HTTP API (the release binary as a child process): write path, read path and
    /// the inbox polls of 342 municipalities, with pgbench's ceiling for the same work.
    Api {
        /// `sqlite` (a temporary file) or a PostgreSQL server URL (a database is created and dropped).
        #[arg(long, default_value = "sqlite")]
        database: String,
        /// Trajectories seeded before the run.
        #[arg(long, default_value_t = 100_000)]
        trajectories: u64,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent clients for the write and read paths (and pgbench).
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Municipalities polling their inbox (342: one per Dutch municipality).
        #[arg(long, default_value_t = 342)]
        municipalities: usize,
        /// The server binary; by default `herstelbrug` next to this one.
        #[arg(long)]
        server: Option<std::path::PathBuf>,
        /// What to run, comma-separated: pgbench, write, register, read, inbox.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "pgbench,write,register,read,inbox"
        )]
        only: Vec<String>,
        /// Webhook subscriptions of the writing provider to its alerts (numbered events).
        #[arg(long, default_value_t = 0)]
        subscriptions: usize,
        /// Run the server without its webhook dispatcher.
        #[arg(long)]
        no_dispatcher: bool,
        /// PostgreSQL's log file, read for the same-work ceiling (the statements one
        /// request sends); by default the newest in /var/log/postgresql.
        #[arg(long)]
        pg_log: Option<std::path::PathBuf>,
        /// A directory to keep the same-work pgbench scripts in.
        #[arg(long)]
        scripts: Option<std::path::PathBuf>,
        /// Server processes (replicas) over the one database, the clients spread over them.
        #[arg(long, default_value_t = 1)]
        replicas: usize,
    },
    /// A national day: every kind of caller at once, sized to the country.
    National {
        /// `sqlite` (a temporary file) or a PostgreSQL server URL (a database is created and dropped).
        #[arg(long, default_value = "sqlite")]
        database: String,
        #[arg(long, default_value_t = 1_000_000)]
        trajectories: u64,
        /// Length of the day, in seconds; the night batch is spread over it.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Transitions in the night batch (one per trajectory).
        #[arg(long, default_value_t = 10_000)]
        batch: u64,
        /// Trajectories whose deadline timer is due as the day starts.
        #[arg(long, default_value_t = 10_000)]
        due: u64,
        #[arg(long, default_value_t = 20)]
        ehrs: u64,
        #[arg(long, default_value_t = 342)]
        municipalities: usize,
        #[arg(long, default_value_t = 50)]
        dashboards: usize,
        #[arg(long, default_value_t = 2_000)]
        services: usize,
        #[arg(long, default_value_t = 200)]
        subscribers: usize,
        /// The server binary; by default `herstelbrug` next to this one.
        #[arg(long)]
        server: Option<std::path::PathBuf>,
    },
    /// The catalog: search over 10,000 services in 342 municipalities, and capacity posts.
    Catalog {
        /// `sqlite` (a temporary file) or a PostgreSQL server URL (a database is created and dropped).
        #[arg(long, default_value = "sqlite")]
        database: String,
        #[arg(long, default_value_t = 10_000)]
        services: u64,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Capacity posts to time.
        #[arg(long, default_value_t = 2_000)]
        updates: u64,
        /// Answered referrals per service behind the measured waiting times.
        #[arg(long, default_value_t = 8)]
        history: u64,
    },
    /// Continuity figures for a year over 1,000,000 trajectories, as dashboards read them.
    Figures {
        /// `sqlite` (a temporary file) or a PostgreSQL server URL (a database is created and dropped).
        #[arg(long, default_value = "sqlite")]
        database: String,
        #[arg(long, default_value_t = 1_000_000)]
        trajectories: u64,
        /// Cells left unfolded, as deltas.
        #[arg(long, default_value_t = 5_000)]
        deltas: usize,
        /// Requests timed per case.
        #[arg(long, default_value_t = 30)]
        requests: usize,
    },
    /// The retention job over closed trajectories past their term.
    Retention {
        /// `sqlite` (a temporary file) or a PostgreSQL server URL (a database is created and dropped).
        #[arg(long, default_value = "sqlite")]
        database: String,
        #[arg(long, default_value_t = 1_000_000)]
        trajectories: u64,
        /// Trajectories per transaction (the job's default).
        #[arg(long, default_value_t = 500)]
        batch: u64,
    },
    /// Webhook delivery throughput and lag with several dispatchers on one database.
    Webhooks {
        /// `sqlite` (a temporary file) or a PostgreSQL server URL (a database is created and dropped).
        #[arg(long, default_value = "sqlite")]
        database: String,
        #[arg(long, default_value_t = 10_000)]
        messages: u64,
        #[arg(long, default_value_t = 4)]
        dispatchers: u32,
        #[arg(long, default_value_t = 50)]
        batch: u32,
    },
}

/// Runs `work` on a fresh database: a temporary SQLite file, or a new PostgreSQL database
/// on the server of `database` that is dropped afterwards.
async fn with_database<F, Fut>(database: &str, work: F) -> Result<(), Box<dyn std::error::Error>>
where
    F: FnOnce(herstelbrug_persistence::Database, String) -> Fut,
    Fut: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let dir = tempfile::tempdir()?;
    let name = format!("hb_bench_{}", uuid::Uuid::new_v4().simple());
    let url = if database == "sqlite" {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    } else {
        admin::create_database(database, &name).await?;
        admin::database_url(database, &name)
    };
    let outcome = async {
        let db = connect(&url, 16).await?;
        db.migrate().await?;
        work(db, url.clone()).await
    }
    .await;
    if database != "sqlite" {
        admin::drop_database(database, &name).await?;
    }
    outcome
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn scheduler(
    database: &str,
    size: u64,
    due: u64,
    batch: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    with_database(database, |db, _| async move {
        let now = chrono::Utc::now();
        let started = Instant::now();
        seed::trajectories(&db.conn, size, due.min(size), now).await?;
        let seeded = started.elapsed();
        if db.backend() == DbBackend::Postgres {
            db.conn.execute_unprepared("ANALYZE").await?;
        }
        let scheduler = Scheduler::new(
            db.conn.clone(),
            Arc::new(FeedSignal::default()),
            ContinuityPolicy::default(),
            batch,
            chrono::Duration::seconds(30),
        );
        let mut ticks = Vec::new();
        let mut fired = 0usize;
        let draining = Instant::now();
        loop {
            let tick = Instant::now();
            let report = scheduler.tick(now).await?;
            if report.claimed == 0 {
                break;
            }
            ticks.push(tick.elapsed());
            fired += report.fired;
        }
        let drained = draining.elapsed();
        let mut empty = Vec::new();
        for _ in 0..50 {
            let tick = Instant::now();
            scheduler.tick(now).await?;
            empty.push(tick.elapsed());
        }
        ticks.sort();
        empty.sort();
        println!(
            "{:>9} trajectories | seeded in {:>6.1} s | {:>6} due fired in {:>7.1} ms ({:>7.0} timers/s) | \
             full tick of {batch}: p50 {:>6.2} ms p99 {:>6.2} ms | empty tick: p50 {:>5.2} ms p99 {:>5.2} ms",
            size,
            seeded.as_secs_f64(),
            fired,
            ms(drained),
            fired as f64 / drained.as_secs_f64(),
            ms(percentile(&ticks, 0.5)),
            ms(percentile(&ticks, 0.99)),
            ms(percentile(&empty, 0.5)),
            ms(percentile(&empty, 0.99)),
        );
        db.close().await?;
        Ok(())
    })
    .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match Cli::parse().command {
        Command::Scheduler {
            database,
            sizes,
            due,
            batch,
        } => {
            println!("scheduler tick benchmark on {database}: {due} due timers, batch {batch}");
            for size in sizes {
                scheduler(&database, size, due, batch).await?;
            }
        }
        Command::Api {
            database,
            trajectories,
            seconds,
            concurrency,
            municipalities,
            server,
            only,
            subscriptions,
            no_dispatcher,
            pg_log,
            scripts,
            replicas,
        } => {
            let options = api::Options {
                replicas,
                subscriptions,
                no_dispatcher,
                pg_log,
                scripts,
                only,
                trajectories,
                seconds,
                concurrency: concurrency.max(1),
                municipalities,
                server: server.unwrap_or_else(server::default_binary),
            };
            println!("API benchmark on {database}");
            with_database(&database, |db, url| async move {
                api::run(&db, &url, &options).await
            })
            .await?;
        }
        Command::National {
            database,
            trajectories,
            seconds,
            batch,
            due,
            ehrs,
            municipalities,
            dashboards,
            services,
            subscribers,
            server,
        } => {
            let options = national::Options {
                due,
                trajectories,
                seconds: seconds.max(1),
                server: server.unwrap_or_else(server::default_binary),
                batch,
                ehrs: ehrs.max(1),
                municipalities,
                dashboards,
                services,
                subscribers,
            };
            println!("national day on {database}");
            with_database(&database, |db, url| async move {
                national::run(&db, &url, &options).await
            })
            .await?;
        }
        Command::Figures {
            database,
            trajectories,
            deltas,
            requests,
        } => {
            with_database(&database, |db, _| async move {
                figures::run(&db, trajectories, deltas, requests.max(1)).await
            })
            .await?;
        }
        Command::Retention {
            database,
            trajectories,
            batch,
        } => {
            with_database(&database, |db, _| async move {
                retention::run(&db, trajectories, batch.max(1)).await
            })
            .await?;
        }
        Command::Catalog {
            database,
            services,
            concurrency,
            seconds,
            updates,
            history,
        } => {
            println!("catalog benchmark on {database}");
            with_database(&database, |db, _| async move {
                catalog::run(&db, services, concurrency.max(1), seconds, updates, history).await
            })
            .await?;
        }
        Command::Webhooks {
            database,
            messages,
            dispatchers,
            batch,
        } => {
            println!("webhook delivery benchmark on {database}");
            with_database(&database, |db, _| async move {
                webhooks::run(&db, messages, dispatchers, batch).await
            })
            .await?;
        }
    }
    Ok(())
}
