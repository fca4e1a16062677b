//! Opening the database: SQLite with durable pragmas, or PostgreSQL, then migrations.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::db::migration::Migrator;
use crate::db::write_txn::WriteTxn;

/// An open database, with the backend it runs on.
#[derive(Clone, Debug)]
pub struct Database {
    /// Every write, and every read that belongs to one.
    pub conn: DatabaseConnection,
    /// Reads that stand alone. On SQLite a pool of read-only connections beside the one
    /// writer: in WAL mode they read the last commit while the writer works, instead of
    /// queueing behind its transactions on its connection. On PostgreSQL the same pool.
    pub reader: DatabaseConnection,
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
                "REVOKE UPDATE, DELETE, TRUNCATE ON access_log, access_log_seal, access_log_disclosure, access_log_checkpoints FROM {role}"
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
        if self.backend() == DbBackend::Sqlite {
            self.reader.close().await?;
        }
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
/// writers wait for the lock instead of failing at once. Writes share one connection,
/// which serialises them inside the process as SQLite needs; reads that stand alone have
/// read-only connections of their own (`Database::reader`).
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
    let conn =
        sea_orm::Database::connect(options(url, acquire, max_connections, Role::Writer)).await?;
    // A cheap query proves the connection works before the server reports ready.
    conn.execute_unprepared("SELECT 1").await?;
    let reader = if sqlite {
        let reader =
            sea_orm::Database::connect(options(url, acquire, SQLITE_READERS, Role::Reader)).await?;
        reader.execute_unprepared("SELECT 1").await?;
        reader
    } else {
        conn.clone()
    };
    Ok(Database { conn, reader })
}

/// Read-only SQLite connections beside the writer: one per core of the machine this is
/// sized for, and one to spare for a read that waits on the disk.
const SQLITE_READERS: u32 = 3;

/// Which SQLite connection (the one writer or a reader) options are for.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Writer,
    Reader,
}

fn options(url: &str, acquire: Duration, max_connections: u32, role: Role) -> ConnectOptions {
    let sqlite = url.starts_with("sqlite:");
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(acquire)
        .acquire_timeout(acquire)
        // sqlx pings every connection it hands out by default: one more round trip per
        // request. Only a connection idle long enough for a firewall or a database restart
        // to have dropped it is worth testing first.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .map_sqlx_sqlite_opts(move |opts| {
            let opts = opts
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            match role {
                // 64 MiB of page cache instead of SQLite's 2 MiB: a region's catalog and
                // its referral history stay in memory instead of being read page by page
                // through system calls (the catalog benchmark's search spent most of its
                // time there).
                Role::Writer => opts.pragma("cache_size", "-65536"),
                // Smaller each, so that the readers together stay within the memory the
                // national day allows; the hot pages are in the OS cache as well.
                Role::Reader => opts
                    .pragma("cache_size", "-16384")
                    .pragma("query_only", "true"),
            }
        });
    // sea-orm gives SQLite one connection unless told otherwise: the writer keeps it.
    if !sqlite || role == Role::Reader {
        options.max_connections(max_connections);
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh SQLite file in the temp directory, removed with its WAL when dropped.
    struct ScratchFile(std::path::PathBuf);

    impl Drop for ScratchFile {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = self.0.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }

    async fn open() -> (Database, ScratchFile) {
        let file = ScratchFile(
            std::env::temp_dir().join(format!("hb-connect-{}.db", uuid::Uuid::now_v7())),
        );
        let url = format!("sqlite://{}?mode=rwc", file.0.display());
        let db = connect(&url, 4).await.expect("opened");
        db.conn
            .execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .await
            .expect("table");
        (db, file)
    }

    #[tokio::test]
    async fn sqlite_reads_do_not_queue_behind_an_open_write() {
        let (db, _file) = open().await;
        db.conn
            .execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .expect("committed row");
        // The writer's one connection is taken by a transaction that stays open.
        let write = begin_immediate(&db.conn).await.expect("write lock");
        write
            .execute_unprepared("INSERT INTO t VALUES (2)")
            .await
            .expect("uncommitted row");
        // Through the writer's pool this read would wait for the connection (10 s, then
        // fail); a reader sees the last commit at once.
        let seen = tokio::time::timeout(
            Duration::from_secs(5),
            db.reader.query_all_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                "SELECT id FROM t",
            )),
        )
        .await
        .expect("the read did not wait for the writer")
        .expect("read");
        assert_eq!(seen.len(), 1, "only the committed row is visible");
        write.commit().await.expect("commit");
        let after = db
            .reader
            .query_all_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                "SELECT id FROM t",
            ))
            .await
            .expect("read");
        assert_eq!(after.len(), 2, "a commit is visible to the next read");
    }

    #[tokio::test]
    async fn sqlite_readers_cannot_write() {
        let (db, _file) = open().await;
        let refused = db
            .reader
            .execute_unprepared("INSERT INTO t VALUES (1)")
            .await;
        assert!(refused.is_err(), "a reader wrote: {refused:?}");
    }
}
