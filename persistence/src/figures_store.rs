//! Continuity figures: recording each trajectory's facts as counts in the writing
//! transaction (append-only deltas), folding deltas into rolled-up cells in the
//! background, and answering a figures query from cells and deltas in one statement.

use std::collections::BTreeMap;

use herstelbrug_domain::figures::{
    self, Aggregate, Fact, Grouping, Metric, Month, Report, ReportQuery,
};
use herstelbrug_domain::{AgbCode, GemeenteCode, Referral, Rule, Trajectory};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryTrait as _, Statement, Value,
};

use crate::connect::begin_write;
use crate::entity::{figure_cell, figure_contribution, figure_delta};
use crate::error::StoreError;
use crate::write_txn::WriteTxn;

/// Whose figures a reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureScope {
    /// A provider's own trajectories.
    Provider(AgbCode),
    /// A municipality's residents, over every provider.
    Municipality(GemeenteCode),
    /// Every organisation (administrators).
    All,
}

/// Records the difference between what `trajectory` contributed to the figures and what it
/// contributes now, in the transaction that changed it.
pub(crate) async fn record_trajectory(
    txn: &WriteTxn,
    trajectory: &Trajectory,
    referrals: &[Referral],
) -> Result<(), StoreError> {
    let id = trajectory.id.as_uuid();
    // Read and written at once rather than deferred: a second evaluation of the same
    // trajectory in this transaction must see the first one's facts.
    let stored = figure_contribution::Entity::find_by_id(id)
        .one(txn.unflushed())
        .await?;
    let recorded: Vec<Fact> = match &stored {
        Some(row) => serde_json::from_str(&row.facts)
            .map_err(|e| StoreError::Corrupt(format!("figure facts: {e}")))?,
        None => Vec::new(),
    };
    let now = figures::trajectory_facts(trajectory, referrals, &recorded);
    let changes = figures::diff(&recorded, &now);
    if changes.is_empty() {
        return Ok(());
    }
    let facts = serde_json::to_string(&now)
        .map_err(|e| StoreError::Corrupt(format!("figure facts: {e}")))?;
    figure_contribution::Entity::insert(figure_contribution::ActiveModel {
        trajectory_id: Set(id),
        facts: Set(facts),
    })
    .on_conflict(
        OnConflict::column(figure_contribution::Column::TrajectoryId)
            .update_column(figure_contribution::Column::Facts)
            .to_owned(),
    )
    .exec_without_returning(txn.unflushed())
    .await?;
    record_counts(txn, &changes);
    Ok(())
}

/// Adds `facts` (one each) to the figures, as alert changes do.
pub(crate) fn record_facts(txn: &WriteTxn, facts: &[Fact]) {
    let changes: Vec<(Fact, i64)> = facts.iter().map(|f| (f.clone(), 1)).collect();
    record_counts(txn, &changes);
}

fn record_counts(txn: &WriteTxn, changes: &[(Fact, i64)]) {
    if changes.is_empty() {
        return;
    }
    let rows = changes
        .iter()
        .map(|(fact, count)| figure_delta::ActiveModel {
            id: sea_orm::ActiveValue::NotSet,
            month: Set(fact.month.yyyymm()),
            provider: Set(fact.provider.to_string()),
            municipality: Set(fact.municipality.to_string()),
            kind: Set(fact
                .kind
                .map_or_else(String::new, |k| k.as_str().to_owned())),
            service: Set(fact
                .service
                .map_or_else(String::new, |s| s.as_uuid().to_string())),
            metric: Set(fact.metric.as_str().to_owned()),
            detail: Set(fact.detail.clone()),
            days: Set(i32::try_from(fact.days).unwrap_or(i32::MAX)),
            count: Set(*count),
        });
    txn.defer(figure_delta::Entity::insert_many(rows).into_query());
}

/// Reads the figures and folds the deltas.
#[derive(Clone)]
pub struct FiguresStore {
    conn: DatabaseConnection,
}

/// A cell's key: month, provider, municipality, kind, service, metric, detail, days.
type CellKey = (i32, String, String, String, String, String, String, i32);

/// The columns a figure row is keyed by, as written by `record_counts`.
const KEY: &str = "month, provider, municipality, kind, service, metric, detail, days";

impl FiguresStore {
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    /// The report `query` asks for, over what `scope` may see.
    pub async fn continuity(
        &self,
        scope: FigureScope,
        query: &ReportQuery,
    ) -> Result<Report, StoreError> {
        let backend = self.conn.get_database_backend();
        let (from, to) = query.range.months();
        let group = match query.grouping {
            Grouping::Municipality => "municipality",
            Grouping::Provider => "provider",
            Grouping::Kind => "kind",
            Grouping::Service => "service",
        };
        let mut values: Vec<Value> = Vec::new();
        let mut param = |value: Value| {
            values.push(value);
            match backend {
                DbBackend::Postgres => format!("${}", values.len()),
                _ => "?".to_owned(),
            }
        };
        let mut part = |table: &str| {
            let from = param(from.yyyymm().into());
            let to = param(to.yyyymm().into());
            let scoped = match scope {
                FigureScope::Provider(p) => {
                    format!(" AND provider = {}", param(p.to_string().into()))
                }
                FigureScope::Municipality(m) => {
                    format!(" AND municipality = {}", param(m.to_string().into()))
                }
                FigureScope::All => String::new(),
            };
            format!(
                "SELECT month, {group} AS grp, metric, detail, days, count FROM {table} \
                 WHERE month BETWEEN {from} AND {to}{scoped}"
            )
        };
        let cells = part("figure_cells");
        let deltas = part("figure_deltas");
        let sql = format!(
            "SELECT month, grp, metric, detail, days, CAST(SUM(count) AS BIGINT) AS n FROM ({cells} UNION ALL {deltas}) f \
             GROUP BY month, grp, metric, detail, days HAVING SUM(count) <> 0"
        );
        let rows = self
            .conn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        let mut aggregates = Vec::with_capacity(rows.len());
        for row in rows {
            let month: i32 = row.try_get("", "month")?;
            let metric: String = row.try_get("", "metric")?;
            let Ok(metric) = metric.parse::<Metric>() else {
                return Err(StoreError::Corrupt(format!("figure metric `{metric}`")));
            };
            aggregates.push(Aggregate {
                month: Month::from_yyyymm(month)
                    .ok_or_else(|| StoreError::Corrupt(format!("figure month {month}")))?,
                group: row.try_get("", "grp")?,
                metric,
                detail: row.try_get("", "detail")?,
                days: i64::from(row.try_get::<i32>("", "days")?),
                count: row.try_get("", "n")?,
            });
        }
        let open_gaps = self.open_gaps(scope, query.grouping).await?;
        Ok(figures::build(query, &aggregates, &open_gaps))
    }

    /// Gap alerts unresolved now, per group (municipality or provider) in scope.
    async fn open_gaps(
        &self,
        scope: FigureScope,
        grouping: Grouping,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let backend = self.conn.get_database_backend();
        let group = match grouping {
            Grouping::Provider => "treating_provider",
            Grouping::Municipality | Grouping::Kind | Grouping::Service => "municipality",
        };
        let rules: Vec<String> = Rule::ALL
            .iter()
            .filter(|r| r.is_gap())
            .map(|r| format!("'{}'", r.as_str()))
            .collect();
        let (scoped, values): (String, Vec<Value>) = match scope {
            FigureScope::Provider(p) => (
                " AND treating_provider = $1".into(),
                vec![p.to_string().into()],
            ),
            FigureScope::Municipality(m) => {
                (" AND municipality = $1".into(), vec![m.to_string().into()])
            }
            FigureScope::All => (String::new(), Vec::new()),
        };
        let scoped = match backend {
            DbBackend::Postgres => scoped,
            _ => scoped.replace("$1", "?"),
        };
        // The rule names are the domain's own constants, not input.
        let sql = format!(
            "SELECT {group} AS grp, COUNT(*) AS n FROM alerts \
             WHERE status <> 'resolved' AND rule IN ({}){scoped} GROUP BY {group}",
            rules.join(", ")
        );
        let rows = self
            .conn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get::<String>("", "grp")?,
                    u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0),
                ))
            })
            .collect()
    }

    /// Folds up to `batch` deltas into the cells; returns how many it folded. Each delta
    /// is deleted by exactly one folder (the delete returns it), so replicas folding at
    /// once never count one twice; readers see a delta in one place or the other.
    pub async fn fold(&self, batch: u32) -> Result<usize, StoreError> {
        let txn = begin_write(&self.conn).await?;
        let backend = txn.get_database_backend();
        let (lock, limit) = match backend {
            DbBackend::Postgres => (" FOR UPDATE SKIP LOCKED", "$1"),
            _ => ("", "?"),
        };
        let sql = format!(
            "DELETE FROM figure_deltas WHERE id IN \
             (SELECT id FROM figure_deltas ORDER BY id LIMIT {limit}{lock}) RETURNING {KEY}, count"
        );
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [i64::from(batch).into()],
            ))
            .await?;
        let folded = rows.len();
        let mut sums: BTreeMap<CellKey, i64> = BTreeMap::new();
        for row in rows {
            let key = (
                row.try_get("", "month")?,
                row.try_get("", "provider")?,
                row.try_get("", "municipality")?,
                row.try_get("", "kind")?,
                row.try_get("", "service")?,
                row.try_get("", "metric")?,
                row.try_get("", "detail")?,
                row.try_get("", "days")?,
            );
            *sums.entry(key).or_default() += row.try_get::<i64>("", "count")?;
        }
        // In key order, so two folders upserting overlapping cells cannot deadlock.
        let cells: Vec<figure_cell::ActiveModel> = sums
            .into_iter()
            .filter(|(_, count)| *count != 0)
            .map(|(k, count)| figure_cell::ActiveModel {
                month: Set(k.0),
                provider: Set(k.1),
                municipality: Set(k.2),
                kind: Set(k.3),
                service: Set(k.4),
                metric: Set(k.5),
                detail: Set(k.6),
                days: Set(k.7),
                count: Set(count),
            })
            .collect();
        for chunk in cells.chunks(500) {
            use figure_cell::Column as C;
            figure_cell::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([
                        C::Month,
                        C::Provider,
                        C::Municipality,
                        C::Kind,
                        C::Service,
                        C::Metric,
                        C::Detail,
                        C::Days,
                    ])
                    .value(
                        C::Count,
                        Expr::col((figure_cell::Entity, C::Count)).add(Expr::col((
                            sea_orm::sea_query::Alias::new("excluded"),
                            C::Count,
                        ))),
                    )
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(folded)
    }
}
