//! For unit tests: an in-memory SQLite database with one scratch table `t`, a statement
//! that inserts into it, and a read of what landed.

use std::time::Duration;

use sea_orm::sea_query::{Alias, InsertStatement, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

pub(crate) async fn open() -> DatabaseConnection {
    let conn = sea_orm::Database::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    conn.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .await
        .expect("table created");
    conn
}

pub(crate) fn insert(id: i32, v: &str) -> InsertStatement {
    Query::insert()
        .into_table(Alias::new("t"))
        .columns([Alias::new("id"), Alias::new("v")])
        .values_panic([id.into(), v.into()])
        .to_owned()
}

/// The ids in `t`, in order. On the pool it would wait forever for a connection that a
/// transaction left open holds; the timeout turns that into a failure.
pub(crate) async fn ids<C: ConnectionTrait>(conn: &C) -> Vec<i32> {
    let read = conn.query_all_raw(Statement::from_string(
        DbBackend::Sqlite,
        "SELECT id FROM t ORDER BY id",
    ));
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("the connection was given back")
        .expect("read")
        .iter()
        .map(|row| row.try_get::<i32>("", "id").expect("id"))
        .collect()
}
