//! Operational figures for monitoring: how far the scheduler and the webhook outbox lag,
//! how full the connection pool is, and how many alerts are open per rule. No client data.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};

use crate::entity::{alert, timer, webhook_message};
use crate::error::StoreError;

/// The database state a scrape reports; each figure comes from an indexed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpsSnapshot {
    /// The earliest timer that is due and not yet fired.
    pub oldest_due_timer: Option<DateTime<Utc>>,
    pub due_timers: u64,
    /// The earliest pending webhook message whose attempt is due.
    pub oldest_due_message: Option<DateTime<Utc>>,
    pub pending_messages: u64,
    pub dead_messages: u64,
    /// Unresolved alerts per rule.
    pub open_alerts: Vec<(String, u64)>,
}

/// Connection pool figures (sqlx does not count the tasks waiting for a connection).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

pub fn pool_stats(conn: &DatabaseConnection) -> PoolStats {
    fn of<DB: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<DB>) -> PoolStats {
        PoolStats {
            size: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        }
    }
    match conn.get_database_backend() {
        DbBackend::Postgres => of(conn.get_postgres_connection_pool()),
        DbBackend::Sqlite => of(conn.get_sqlite_connection_pool()),
        _ => PoolStats::default(),
    }
}

pub async fn snapshot(
    conn: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<OpsSnapshot, StoreError> {
    let due_timers = timer::Entity::find().filter(timer::Column::DueAt.lte(now));
    let oldest_due_timer = due_timers
        .clone()
        .select_only()
        .column_as(timer::Column::DueAt.min(), "oldest")
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(conn)
        .await?
        .flatten();
    let pending =
        webhook_message::Entity::find().filter(webhook_message::Column::Status.eq("pending"));
    let oldest_due_message = pending
        .clone()
        .filter(webhook_message::Column::NextAttemptAt.lte(now))
        .select_only()
        .column_as(webhook_message::Column::NextAttemptAt.min(), "oldest")
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(conn)
        .await?
        .flatten();
    let open_alerts = alert::Entity::find()
        .filter(alert::Column::Status.ne("resolved"))
        .select_only()
        .column(alert::Column::Rule)
        .column_as(Expr::col(alert::Column::Rule).count(), "open")
        .group_by(alert::Column::Rule)
        .into_tuple::<(String, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(rule, open)| (rule, u64::try_from(open).unwrap_or_default()))
        .collect();
    Ok(OpsSnapshot {
        oldest_due_timer,
        due_timers: due_timers.count(conn).await?,
        oldest_due_message,
        pending_messages: pending.count(conn).await?,
        dead_messages: webhook_message::Entity::find()
            .filter(webhook_message::Column::Status.eq("dead"))
            .count(conn)
            .await?,
        open_alerts,
    })
}
