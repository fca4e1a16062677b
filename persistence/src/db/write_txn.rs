//! A writing transaction that holds back its trailing inserts, updates and deletes and
//! sends them in one round trip, so a write costs fewer trips to the database.
//!
//! Every statement is a round trip: on PostgreSQL to the backend process, on SQLite to
//! sqlx's worker thread. A transition used to make twelve, most of them inserts nothing
//! later in the transaction reads (its event, feed entries, outbox messages, timer and
//! access-log entry). Those are `defer`red; any statement run through this transaction
//! sends the deferred ones first, so a later read always sees them, and `commit` sends
//! whatever is left before committing. Only reads known not to depend on deferred writes
//! go around that through `unflushed`.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::sea_query::{
    DeleteStatement, InsertStatement, MysqlQueryBuilder, PostgresQueryBuilder, QueryBuilder,
    SqlWriterValues, SqliteQueryBuilder, UpdateStatement,
};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult, Statement,
};

use crate::db::group_commit::{InFlight, Membership};

/// A statement held back until the transaction's next round trip.
#[derive(Debug)]
pub(crate) enum Deferred {
    Insert(InsertStatement),
    Update(UpdateStatement),
    Delete(DeleteStatement),
}

impl From<InsertStatement> for Deferred {
    fn from(statement: InsertStatement) -> Self {
        Self::Insert(statement)
    }
}

impl From<UpdateStatement> for Deferred {
    fn from(statement: UpdateStatement) -> Self {
        Self::Update(statement)
    }
}

impl From<DeleteStatement> for Deferred {
    fn from(statement: DeleteStatement) -> Self {
        Self::Delete(statement)
    }
}

impl Deferred {
    fn write_into<B: QueryBuilder>(&self, builder: &B, sql: &mut SqlWriterValues) {
        match self {
            Self::Insert(s) => s.build_collect_any_into(builder, sql),
            Self::Update(s) => s.build_collect_any_into(builder, sql),
            Self::Delete(s) => s.build_collect_any_into(builder, sql),
        }
    }
}

/// Renders `statements` as one statement with their parameters numbered through.
///
/// PostgreSQL's extended protocol takes one statement per round trip, so all but the
/// last become data-modifying `WITH` parts of it. They run in one snapshot, in no set
/// order: fine because deferred statements never read each other's rows (foreign keys
/// are checked at the end of the statement), but no two of them may write the same row. SQLite takes several statements in one string,
/// and sqlx binds the `?` parameters across them in order.
fn render<B: QueryBuilder>(builder: B, statements: &[Deferred], backend: DbBackend) -> Statement {
    let (placeholder, numbered) = builder.placeholder();
    let mut sql = SqlWriterValues::new(placeholder, numbered);
    let last = statements.len() - 1;
    for (i, statement) in statements.iter().enumerate() {
        match backend {
            DbBackend::Postgres if i < last => {
                push(
                    &mut sql,
                    &format!("{} w{i} AS (", if i == 0 { "WITH" } else { "," }),
                );
                statement.write_into(&builder, &mut sql);
                push(&mut sql, ")");
                continue;
            }
            DbBackend::Postgres if i > 0 => push(&mut sql, " "),
            _ if i > 0 => push(&mut sql, "; "),
            _ => {}
        }
        statement.write_into(&builder, &mut sql);
    }
    let (sql, values) = sql.into_parts();
    Statement::from_sql_and_values(backend, sql, values)
}

fn push(sql: &mut SqlWriterValues, text: &str) {
    use std::fmt::Write as _;
    // Writing to the in-memory buffer cannot fail.
    let _ = sql.write_str(text);
}

/// A writing transaction with its deferred statements.
#[derive(Debug)]
pub(crate) struct WriteTxn {
    txn: DatabaseTransaction,
    deferred: Mutex<Vec<Deferred>>,
    /// Set when a statement failed, whether or not the caller went on.
    failed: AtomicBool,
    /// On SQLite with group commit: `txn` is a savepoint in the shared batch.
    group: Option<Membership>,
    /// On SQLite with group commit: this writer, counted until it is done.
    _in_flight: Option<InFlight>,
    /// Rows this transaction wrote through deferred upserts (see `upserted_before`).
    upserted: Mutex<HashSet<uuid::Uuid>>,
}

impl WriteTxn {
    pub(crate) fn new(txn: DatabaseTransaction) -> Self {
        Self {
            txn,
            deferred: Mutex::new(Vec::new()),
            failed: AtomicBool::new(false),
            group: None,
            _in_flight: None,
            upserted: Mutex::new(HashSet::new()),
        }
    }

    /// Counts this transaction's writer as in flight until it is done.
    pub(crate) fn counted(mut self, in_flight: InFlight) -> Self {
        self._in_flight = Some(in_flight);
        self
    }

    /// A member of a group commit: `savepoint` is its part of the shared transaction.
    pub(crate) fn grouped(savepoint: DatabaseTransaction, membership: Membership) -> Self {
        Self {
            group: Some(membership),
            ..Self::new(savepoint)
        }
    }

    fn watch<T>(&self, result: Result<T, DbErr>) -> Result<T, DbErr> {
        if result.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        result
    }

    /// Holds `statement` back until the next round trip or the commit.
    pub(crate) fn defer(&self, statement: impl Into<Deferred>) {
        self.pending().push(statement.into());
    }

    /// Records that this transaction defers an upsert of the row `key`, and says whether
    /// it did so before: then a read of that row must go through the transaction (which
    /// sends the deferred upsert first), not around it through `unflushed`.
    pub(crate) fn upserted_before(&self, key: uuid::Uuid) -> bool {
        !self
            .upserted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key)
    }

    /// The transaction without sending deferred statements first: only for reads of
    /// tables no deferred statement writes in this transaction.
    pub(crate) fn unflushed(&self) -> &DatabaseTransaction {
        &self.txn
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Vec<Deferred>> {
        // A panic while the lock was held cannot leave the vector half-written.
        self.deferred
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends the deferred statements, if any, in one round trip.
    async fn flush(&self) -> Result<(), DbErr> {
        let statements = std::mem::take(&mut *self.pending());
        if statements.is_empty() {
            return Ok(());
        }
        let backend = self.txn.get_database_backend();
        let statement = match backend {
            DbBackend::Postgres => render(PostgresQueryBuilder, &statements, backend),
            DbBackend::Sqlite => render(SqliteQueryBuilder, &statements, backend),
            _ => render(MysqlQueryBuilder, &statements, backend),
        };
        let sent = self.txn.execute_raw(statement).await;
        self.watch(sent)?;
        Ok(())
    }

    /// Sends what is deferred and commits; a group member releases its savepoint into
    /// the batch and returns once the batch has committed.
    pub(crate) async fn commit(self) -> Result<(), DbErr> {
        self.flush().await?;
        let clean = !self.failed.load(Ordering::Relaxed);
        let WriteTxn {
            txn,
            group,
            _in_flight,
            ..
        } = self;
        txn.commit().await?;
        match group {
            None => Ok(()),
            Some(membership) => membership.wait_for_commit(clean).await,
        }
    }

    /// Drops what is deferred and rolls back.
    pub(crate) async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.flush().await?;
        self.watch(self.txn.execute_raw(stmt).await)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.flush().await?;
        self.watch(self.txn.execute_unprepared(sql).await)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.flush().await?;
        self.watch(self.txn.query_one_raw(stmt).await)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.flush().await?;
        self.watch(self.txn.query_all_raw(stmt).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::scratch_table::{self, ids, insert};
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

    fn statements() -> Vec<Deferred> {
        vec![
            Query::insert()
                .into_table(Alias::new("a"))
                .columns([Alias::new("x")])
                .values_panic([1.into()])
                .to_owned()
                .into(),
            Query::update()
                .table(Alias::new("b"))
                .value(Alias::new("y"), 2)
                .and_where(Expr::col(Alias::new("z")).eq(3))
                .to_owned()
                .into(),
            Query::delete()
                .from_table(Alias::new("c"))
                .and_where(Expr::col(Alias::new("w")).eq(4))
                .to_owned()
                .into(),
        ]
    }

    #[test]
    fn postgres_numbers_parameters_through_one_with_statement() {
        let rendered = render(PostgresQueryBuilder, &statements(), DbBackend::Postgres);
        assert_eq!(
            rendered.sql,
            r#"WITH w0 AS (INSERT INTO "a" ("x") VALUES ($1)), w1 AS (UPDATE "b" SET "y" = $2 WHERE "z" = $3) DELETE FROM "c" WHERE "w" = $4"#
        );
        assert_eq!(rendered.values.map(|v| v.0.len()), Some(4));
    }

    #[test]
    fn sqlite_joins_statements_with_parameters_in_order() {
        let rendered = render(SqliteQueryBuilder, &statements(), DbBackend::Sqlite);
        assert_eq!(
            rendered.sql,
            r#"INSERT INTO "a" ("x") VALUES (?); UPDATE "b" SET "y" = ? WHERE "z" = ?; DELETE FROM "c" WHERE "w" = ?"#
        );
    }

    #[test]
    fn one_statement_is_sent_as_it_is() {
        let one: Vec<Deferred> = statements().into_iter().take(1).collect();
        let rendered = render(PostgresQueryBuilder, &one, DbBackend::Postgres);
        assert_eq!(rendered.sql, r#"INSERT INTO "a" ("x") VALUES ($1)"#);
    }

    /// The scratch table, and a writing transaction on it.
    async fn table() -> (sea_orm::DatabaseConnection, WriteTxn) {
        let conn = scratch_table::open().await;
        let txn = crate::db::connect::begin_write(&conn)
            .await
            .expect("transaction");
        (conn, txn)
    }

    #[tokio::test]
    async fn a_read_in_the_transaction_sees_the_deferred_writes() {
        let (_conn, txn) = table().await;
        txn.defer(insert(1, "a"));
        txn.defer(insert(2, "b"));
        assert_eq!(ids(txn.unflushed()).await.len(), 0, "nothing sent yet");
        assert_eq!(ids(&txn).await.len(), 2, "sent before the read");
    }

    #[tokio::test]
    async fn an_upsert_is_known_to_the_rest_of_its_transaction_only() {
        let (conn, txn) = table().await;
        let row = uuid::Uuid::now_v7();
        assert!(!txn.upserted_before(row), "the first upsert of a row");
        assert!(
            txn.upserted_before(row),
            "a later read must go through the transaction"
        );
        assert!(!txn.upserted_before(uuid::Uuid::now_v7()), "another row");
        txn.commit().await.expect("committed");
        let next = WriteTxn::new(
            crate::db::connect::begin_immediate(&conn)
                .await
                .expect("begun"),
        );
        assert!(!next.upserted_before(row), "a new transaction starts clean");
    }

    #[tokio::test]
    async fn commit_sends_what_is_deferred() {
        let (conn, txn) = table().await;
        txn.defer(insert(1, "a"));
        txn.defer(insert(2, "b; DROP TABLE t; --"));
        txn.commit().await.expect("committed");
        assert_eq!(ids(&conn).await.len(), 2);
    }

    #[tokio::test]
    async fn rollback_drops_what_is_deferred() {
        let (conn, txn) = table().await;
        txn.defer(insert(1, "a"));
        txn.rollback().await.expect("rolled back");
        assert_eq!(ids(&conn).await.len(), 0);
    }

    #[tokio::test]
    async fn a_failing_deferred_write_fails_the_commit_and_nothing_lands() {
        let (conn, txn) = table().await;
        txn.defer(insert(1, "a"));
        txn.defer(insert(1, "duplicate"));
        assert!(txn.commit().await.is_err());
        assert_eq!(ids(&conn).await.len(), 0);
    }
}
