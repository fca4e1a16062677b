//! Opening the database: SQLite with durable pragmas, or PostgreSQL, then migrations.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::migration::Migrator;
use crate::write_txn::WriteTxn;

/// An open database, with the backend it runs on.
#[derive(Clone, Debug)]
pub struct Database {
    pub conn: DatabaseConnection,
}

impl Database {
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    /// Lets `role` (an existing PostgreSQL role the server logs in as) read and write
    /// every table, but only read and append to the access log and its seals: the role
    /// split of NEN 7513. The owner running `migrate` keeps the DDL rights.
    pub async fn grant_app_role(&self, role: &str) -> Result<(), DbErr> {
        if self.backend() != DbBackend::Postgres {
            return Err(DbErr::Custom(
                "--app-role needs PostgreSQL; SQLite has no roles".to_owned(),
            ));
        }
        let valid = !role.is_empty()
            && role.len() <= 63
            && role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(DbErr::Custom(format!(
                "role name {role:?}: use lower-case letters, digits and _ (at most 63)"
            )));
        }
        for statement in [
            format!("GRANT USAGE ON SCHEMA public TO {role}"),
            format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            ),
            format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
            format!(
                "REVOKE UPDATE, DELETE, TRUNCATE ON access_log, access_log_seal, access_log_disclosure FROM {role}"
            ),
        ] {
            self.conn.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    /// Whether the database answers a trivial query (for readiness probes).
    /// How many trajectories the database holds (to keep demo data out of real data).
    pub async fn trajectory_count(&self) -> Result<i64, DbErr> {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let count = crate::entity::trajectory::Entity::find()
            .count(&self.conn)
            .await?;
        Ok(i64::try_from(count).unwrap_or(i64::MAX))
    }

    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }

    pub async fn close(self) -> Result<(), DbErr> {
        self.conn.close().await
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock at BEGIN
/// (waiting up to the busy timeout), so a transaction that reads first never has to
/// upgrade to a write lock another process took meanwhile, which SQLite refuses at once.
/// Its trailing writes can be deferred to one round trip (`WriteTxn`).
pub(crate) async fn begin_write(conn: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    Ok(WriteTxn::new(begin_immediate(conn).await?))
}

/// A plain transaction that takes SQLite's write lock at BEGIN.
pub(crate) async fn begin_immediate(
    conn: &DatabaseConnection,
) -> Result<DatabaseTransaction, DbErr> {
    conn.begin_with_options(sea_orm::TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
    })
    .await
}

/// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`).
///
/// SQLite runs in WAL mode with `synchronous=FULL`, so a write acknowledged to a client
/// survives a crash of the process and of the machine; foreign keys are enforced and
/// writers wait for the lock instead of failing at once. sea-orm gives SQLite a single
/// pooled connection, which serialises writers inside the process as SQLite needs.
pub async fn connect(url: &str, max_connections: u32) -> Result<Database, DbErr> {
    connect_with(url, max_connections, None).await
}

/// How long a request waits for a PostgreSQL connection by default: long enough for any
/// queue of a healthy pool, short enough that an outage answers 503 within two seconds.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1000);

/// As [`connect`], waiting at most `acquire_timeout` for a pooled connection (PostgreSQL;
/// [`DEFAULT_ACQUIRE_TIMEOUT`] when `None`). The embedded SQLite file cannot be out of
/// reach; its one connection is shared by every writer and keeps a generous wait.
pub async fn connect_with(
    url: &str,
    max_connections: u32,
    acquire_timeout: Option<Duration>,
) -> Result<Database, DbErr> {
    let sqlite = url.starts_with("sqlite:");
    let acquire = if sqlite {
        Duration::from_secs(10)
    } else {
        acquire_timeout.unwrap_or(DEFAULT_ACQUIRE_TIMEOUT)
    };
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(acquire)
        .acquire_timeout(acquire)
        // sqlx pings every connection it hands out by default: one more round trip per
        // request. Only a connection idle long enough for a firewall or a database restart
        // to have dropped it is worth testing first.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                // 64 MiB of page cache instead of SQLite's 2 MiB: a region's catalog and
                // its referral history stay in memory instead of being read page by page
                // through system calls (the catalog benchmark's search spent most of its
                // time there).
                .pragma("cache_size", "-65536")
        });
    if !sqlite {
        options.max_connections(max_connections);
    }
    let conn = sea_orm::Database::connect(options).await?;
    // A cheap query proves the connection works before the server reports ready.
    conn.execute_unprepared("SELECT 1").await?;
    Ok(Database { conn })
}
