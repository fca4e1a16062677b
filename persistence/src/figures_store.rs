//! Continuity figures: recording each trajectory's facts as counts in the writing
//! transaction (append-only deltas), folding deltas into rollups per reader's scope and
//! finest cell in the background, and answering a figures query from its rollups and the
//! deltas not yet folded, in one statement.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use herstelbrug_domain::figures::{
    self, Aggregate, Fact, FineCell, Histogram, Metric, Month, Report, ReportQuery,
};
use herstelbrug_domain::{AgbCode, GemeenteCode, Referral, Rule, Trajectory};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryTrait as _, Statement, Value,
};

use crate::connect::begin_write;
use crate::entity::{figure_contribution, figure_delta, figure_rollup};
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
    // The upsert below is deferred. A second evaluation of the same trajectory in this
    // transaction must see the first one's facts, so it reads through the transaction,
    // which sends the deferred writes first; the first evaluation reads around them.
    let find = figure_contribution::Entity::find_by_id(id);
    let stored = if txn.upserted_before(id) {
        find.one(txn).await?
    } else {
        find.one(txn.unflushed()).await?
    };
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
    txn.defer(
        figure_contribution::Entity::insert(figure_contribution::ActiveModel {
            trajectory_id: Set(id),
            facts: Set(facts),
        })
        .on_conflict(
            OnConflict::column(figure_contribution::Column::TrajectoryId)
                .update_column(figure_contribution::Column::Facts)
                .to_owned(),
        )
        .into_query(),
    );
    record_counts(txn, &changes);
    Ok(())
}

/// As `record_trajectory`, for a trajectory this transaction has just inserted: it has
/// no contribution yet, so none is read, and the new one is deferred behind the insert.
pub(crate) fn record_new_trajectory(
    txn: &WriteTxn,
    trajectory: &Trajectory,
) -> Result<(), StoreError> {
    let now = figures::trajectory_facts(trajectory, &[], &[]);
    let changes = figures::diff(&[], &now);
    if changes.is_empty() {
        return Ok(());
    }
    let facts = serde_json::to_string(&now)
        .map_err(|e| StoreError::Corrupt(format!("figure facts: {e}")))?;
    txn.upserted_before(trajectory.id.as_uuid());
    txn.defer(
        figure_contribution::Entity::insert(figure_contribution::ActiveModel {
            trajectory_id: Set(trajectory.id.as_uuid()),
            facts: Set(facts),
        })
        .into_query(),
    );
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
    /// For the reports (`Database::reader`); the writer's pool unless told otherwise.
    reader: DatabaseConnection,
    /// Keys each finest cell's rounding draw (`figures::rounding`).
    rounding_key: [u8; 32],
}

/// The keyed draw of a cell identity (`FineCell::identity`): the first four bytes of
/// SHA-256 over the key and the identity.
pub fn draw(key: &[u8; 32], identity: &str) -> u32 {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    hash.update(key);
    hash.update(identity.as_bytes());
    let digest = hash.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The one grouping rollups are kept in: the finest cell (`FineCell`).
const CELL: &str = "cell";

/// A finest cell as a rollup's group: `municipality|provider|kind|service`.
fn cell_group(municipality: &str, provider: &str, kind: &str, service: &str) -> String {
    format!("{municipality}|{provider}|{kind}|{service}")
}

fn parse_cell(group: &str) -> Result<FineCell, StoreError> {
    let mut parts = group.splitn(4, '|');
    let mut next = || {
        parts
            .next()
            .map(str::to_owned)
            .ok_or_else(|| StoreError::Corrupt(format!("figure cell `{group}`")))
    };
    Ok(FineCell {
        municipality: next()?,
        provider: next()?,
        kind: next()?,
        service: next()?,
    })
}

/// A delta as read back.
struct Delta {
    month: i32,
    provider: String,
    municipality: String,
    kind: String,
    service: String,
    metric: String,
    detail: String,
    days: i32,
    count: i64,
}

impl Delta {
    fn cell(&self) -> String {
        cell_group(
            &self.municipality,
            &self.provider,
            &self.kind,
            &self.service,
        )
    }

    /// The readers it counts for: everyone's administrator, its provider, its municipality.
    fn scopes(&self) -> [&str; 3] {
        ["all", &self.provider, &self.municipality]
    }

    fn from_row(row: &sea_orm::QueryResult) -> Result<Self, StoreError> {
        Ok(Self {
            month: row.try_get("", "month")?,
            provider: row.try_get("", "provider")?,
            municipality: row.try_get("", "municipality")?,
            kind: row.try_get("", "kind")?,
            service: row.try_get("", "service")?,
            metric: row.try_get("", "metric")?,
            detail: row.try_get("", "detail")?,
            days: row.try_get("", "days")?,
            count: row.try_get("", "count")?,
        })
    }
}

fn scope_key(scope: FigureScope) -> String {
    match scope {
        FigureScope::Provider(p) => p.to_string(),
        FigureScope::Municipality(m) => m.to_string(),
        FigureScope::All => "all".to_owned(),
    }
}

/// What a read nets by: month, group, metric, detail.
type ReadKey = (i32, String, String, String);

/// A rollup row's key: scope, grouping, month, group, metric, detail.
type RollupKey = (String, &'static str, i32, String, String, String);

/// A rollup row's value: the count, and for durations the days histogram.
#[derive(Default)]
struct Tally {
    count: i64,
    days: BTreeMap<i32, i64>,
}

fn encode(days: &BTreeMap<i32, i64>) -> String {
    days.iter()
        .filter(|(_, c)| **c != 0)
        .map(|(d, c)| format!("{d}:{c}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn decode_into(text: &str, add: &mut impl FnMut(i32, i64)) -> Result<(), StoreError> {
    let corrupt = || StoreError::Corrupt(format!("figure histogram `{text}`"));
    for pair in text.split(';').filter(|p| !p.is_empty()) {
        let (d, c) = pair.split_once(':').ok_or_else(corrupt)?;
        add(
            d.parse().map_err(|_| corrupt())?,
            c.parse().map_err(|_| corrupt())?,
        );
    }
    Ok(())
}

fn measures_days(metric: &str) -> bool {
    metric.parse::<Metric>().is_ok_and(Metric::measures_days)
}

/// Placeholders `start..start+n` in the backend's style.
fn marks(backend: DbBackend, start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${}", i + 1),
            _ => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl FiguresStore {
    pub fn new(conn: DatabaseConnection) -> Self {
        Self {
            reader: conn.clone(),
            conn,
            rounding_key: [0; 32],
        }
    }

    /// Draws keyed by a secret (derived from a server secret): without it an outsider
    /// could compute every cell's draw. Knowing the draws still pins no count (see
    /// `figures::rounding`), so the all-zero default is not unsafe, only less private.
    pub fn with_rounding_key(self, rounding_key: [u8; 32]) -> Self {
        Self {
            rounding_key,
            ..self
        }
    }

    fn draw(&self, identity: &str) -> u32 {
        draw(&self.rounding_key, identity)
    }

    /// Reports read through `reader` (on SQLite, beside the writer instead of behind it).
    pub fn reading_from(self, reader: DatabaseConnection) -> Self {
        Self { reader, ..self }
    }

    /// The report `query` asks for, over what `scope` may see.
    pub async fn continuity(
        &self,
        scope: FigureScope,
        query: &ReportQuery,
    ) -> Result<Report, StoreError> {
        let backend = self.reader.get_database_backend();
        let (from, to) = query.range.months();
        let mut values: Vec<Value> = vec![
            scope_key(scope).into(),
            CELL.into(),
            from.yyyymm().into(),
            to.yyyymm().into(),
            from.yyyymm().into(),
            to.yyyymm().into(),
        ];
        let scoped = match scope {
            FigureScope::Provider(p) => {
                values.push(p.to_string().into());
                format!(" AND provider = {}", marks(backend, 6, 1))
            }
            FigureScope::Municipality(m) => {
                values.push(m.to_string().into());
                format!(" AND municipality = {}", marks(backend, 6, 1))
            }
            FigureScope::All => String::new(),
        };
        let m = |i: usize| marks(backend, i, 1);
        // One statement, so one snapshot: a fold moving deltas into rollups meanwhile
        // can neither double nor drop a count.
        let sql = format!(
            "SELECT month, grp, metric, detail, count, histogram, 0 AS days FROM figure_rollups \
             WHERE scope = {} AND grouping = {} AND month BETWEEN {} AND {} AND count <> 0 \
             UNION ALL SELECT month, \
             municipality || '|' || provider || '|' || kind || '|' || service AS grp, \
             metric, detail, count, NULL AS histogram, days \
             FROM figure_deltas WHERE month BETWEEN {} AND {}{scoped}",
            m(0),
            m(1),
            m(2),
            m(3),
            m(4),
            m(5),
        );
        let rows = self
            .reader
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        // Rollup rows are one per key; deltas may add to or take back from them, so they
        // are netted in signed day counts before the report is built.
        let mut keys: HashMap<ReadKey, usize> = HashMap::new();
        let mut tallies: Vec<(ReadKey, Vec<i64>)> = Vec::with_capacity(rows.len());
        for row in rows {
            let key = (
                row.try_get::<i32>("", "month")?,
                row.try_get::<String>("", "grp")?,
                row.try_get::<String>("", "metric")?,
                row.try_get::<String>("", "detail")?,
            );
            let histogram = row.try_get::<Option<String>>("", "histogram")?;
            let at = match keys.get(&key) {
                Some(at) => *at,
                None => {
                    keys.insert(key.clone(), tallies.len());
                    tallies.push((key, Vec::new()));
                    tallies.len() - 1
                }
            };
            let days = &mut tallies[at].1;
            let mut add = |d: i32, n: i64| {
                let d = usize::try_from(d.max(0)).unwrap_or(0);
                if days.len() <= d {
                    days.resize(d + 1, 0);
                }
                days[d] += n;
            };
            match histogram {
                Some(text) => decode_into(&text, &mut add)?,
                None => add(row.try_get("", "days")?, row.try_get::<i64>("", "count")?),
            }
        }
        let mut aggregates = Vec::with_capacity(tallies.len());
        for ((month, group, metric, detail), days) in tallies {
            let mut histogram = Histogram::default();
            for (d, n) in days.iter().enumerate() {
                histogram.add(
                    i64::try_from(d).unwrap_or(0),
                    u64::try_from(*n).unwrap_or(0),
                );
            }
            if histogram.count() == 0 {
                continue;
            }
            let Ok(parsed) = metric.parse::<Metric>() else {
                return Err(StoreError::Corrupt(format!("figure metric `{metric}`")));
            };
            aggregates.push(Aggregate {
                month: Month::from_yyyymm(month)
                    .ok_or_else(|| StoreError::Corrupt(format!("figure month {month}")))?,
                cell: parse_cell(&group)?,
                metric: parsed,
                detail,
                days: histogram,
            });
        }
        let open_gaps = self.open_gaps(scope).await?;
        Ok(figures::build(
            query,
            &aggregates,
            &open_gaps,
            &|identity| self.draw(identity),
        ))
    }

    /// Gap alerts unresolved now, per municipality and provider in scope.
    async fn open_gaps(&self, scope: FigureScope) -> Result<Vec<(FineCell, u64)>, StoreError> {
        let backend = self.reader.get_database_backend();
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
            "SELECT municipality, treating_provider, COUNT(*) AS n FROM alerts \
             WHERE status <> 'resolved' AND rule IN ({}){scoped} \
             GROUP BY municipality, treating_provider",
            rules.join(", ")
        );
        let rows = self
            .reader
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    FineCell {
                        municipality: row.try_get::<String>("", "municipality")?,
                        provider: row.try_get::<String>("", "treating_provider")?,
                        ..FineCell::default()
                    },
                    u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0),
                ))
            })
            .collect()
    }

    /// Folds up to `batch` deltas into the rollups; returns how many it folded. One
    /// folder at a time (PostgreSQL: an advisory lock; SQLite has one writer), since a
    /// rollup's histogram is read, merged and written back; each delta is deleted by the
    /// folder that counts it, and readers see it in one place or the other.
    pub async fn fold(&self, batch: u32) -> Result<usize, StoreError> {
        // Most ticks find nothing: ask with a plain read before taking the write lock
        // (on SQLite, the one writer every other process and request waits for).
        let any = self
            .conn
            .query_one_raw(Statement::from_string(
                self.conn.get_database_backend(),
                "SELECT 1 AS one FROM figure_deltas LIMIT 1",
            ))
            .await?;
        if any.is_none() {
            return Ok(0);
        }
        let txn = begin_write(&self.conn).await?;
        let backend = txn.get_database_backend();
        if backend == DbBackend::Postgres {
            txn.execute_unprepared("SELECT pg_advisory_xact_lock(726202016)")
                .await?;
        }
        let sql = format!(
            "DELETE FROM figure_deltas WHERE id IN \
             (SELECT id FROM figure_deltas ORDER BY id LIMIT {}) \
             RETURNING month, provider, municipality, kind, service, metric, detail, days, count",
            marks(backend, 0, 1)
        );
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [i64::from(batch).into()],
            ))
            .await?;
        let folded = rows.len();
        if folded == 0 {
            txn.commit().await?;
            return Ok(0);
        }
        let mut tallies: BTreeMap<RollupKey, Tally> = BTreeMap::new();
        for row in &rows {
            let delta = Delta::from_row(row)?;
            let durations = measures_days(&delta.metric);
            let cell = delta.cell();
            for scope in delta.scopes() {
                let key = (
                    scope.to_owned(),
                    CELL,
                    delta.month,
                    cell.clone(),
                    delta.metric.clone(),
                    delta.detail.clone(),
                );
                let tally = tallies.entry(key).or_default();
                tally.count += delta.count;
                if durations {
                    *tally.days.entry(delta.days).or_default() += delta.count;
                }
            }
        }
        self.merge_stored(&txn, &mut tallies).await?;
        let rows: Vec<figure_rollup::ActiveModel> = tallies
            .into_iter()
            .map(|((scope, grouping, month, grp, metric, detail), tally)| {
                let histogram = measures_days(&metric).then(|| encode(&tally.days));
                figure_rollup::ActiveModel {
                    scope: Set(scope),
                    grouping: Set(grouping.to_owned()),
                    month: Set(month),
                    grp: Set(grp),
                    metric: Set(metric),
                    detail: Set(detail),
                    count: Set(tally.count),
                    histogram: Set(histogram),
                }
            })
            .collect();
        for chunk in rows.chunks(500) {
            use figure_rollup::Column as C;
            figure_rollup::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([
                        C::Scope,
                        C::Grouping,
                        C::Month,
                        C::Grp,
                        C::Metric,
                        C::Detail,
                    ])
                    .update_columns([C::Count, C::Histogram])
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(folded)
    }

    /// Adds what the rollups already hold to `tallies`, for the keys it has: one query
    /// over the scopes, cells and months involved (per 400 cells).
    async fn merge_stored(
        &self,
        txn: &WriteTxn,
        tallies: &mut BTreeMap<RollupKey, Tally>,
    ) -> Result<(), StoreError> {
        let backend = txn.get_database_backend();
        {
            let keys: Vec<&RollupKey> = tallies.keys().collect();
            let scopes: BTreeSet<&str> = keys.iter().map(|k| k.0.as_str()).collect();
            let groups: BTreeSet<&str> = keys.iter().map(|k| k.3.as_str()).collect();
            let months: BTreeSet<i32> = keys.iter().map(|k| k.2).collect();
            let mut stored = Vec::new();
            let groups: Vec<&str> = groups.into_iter().collect();
            for group_chunk in groups.chunks(400) {
                let mut values: Vec<Value> = vec![CELL.into()];
                values.extend(scopes.iter().map(|s| Value::from(*s)));
                values.extend(group_chunk.iter().map(|g| Value::from(*g)));
                values.extend(months.iter().map(|m| Value::from(*m)));
                let sql = format!(
                    "SELECT scope, month, grp, metric, detail, count, histogram FROM figure_rollups \
                     WHERE grouping = {} AND scope IN ({}) AND grp IN ({}) AND month IN ({})",
                    marks(backend, 0, 1),
                    marks(backend, 1, scopes.len()),
                    marks(backend, 1 + scopes.len(), group_chunk.len()),
                    marks(backend, 1 + scopes.len() + group_chunk.len(), months.len()),
                );
                stored.extend(
                    txn.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                        .await?,
                );
            }
            for row in stored {
                let key: RollupKey = (
                    row.try_get("", "scope")?,
                    CELL,
                    row.try_get("", "month")?,
                    row.try_get("", "grp")?,
                    row.try_get("", "metric")?,
                    row.try_get("", "detail")?,
                );
                if let Some(tally) = tallies.get_mut(&key) {
                    tally.count += row.try_get::<i64>("", "count")?;
                    if let Some(histogram) = row.try_get::<Option<String>>("", "histogram")? {
                        decode_into(&histogram, &mut |days, n| {
                            *tally.days.entry(days).or_default() += n;
                        })?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use herstelbrug_domain::{Actor, ClientRef, OrgId, Registration, Subject, TrajectoryId};
    use sea_orm_migration::MigratorTrait as _;

    use super::*;
    use crate::entity::trajectory;
    use crate::trajectory_row::trajectory_to_row;

    #[tokio::test]
    async fn a_second_evaluation_in_one_transaction_counts_nothing_twice() {
        let conn = sea_orm::Database::connect("sqlite::memory:")
            .await
            .expect("opened");
        crate::migration::Migrator::up(&conn, None)
            .await
            .expect("migrated");
        let provider = AgbCode::parse("12345678").expect("agb");
        let now = Utc::now();
        let (mut registered, _) = Trajectory::register(
            TrajectoryId::new_at(now),
            Registration {
                client_ref: "client-1".parse::<ClientRef>().expect("ref"),
                municipality: GemeenteCode::parse("0268").expect("code"),
                started_on: now.date_naive(),
                planned_end_on: None,
                previous: None,
            },
            provider,
            Actor {
                subject: Subject::parse("someone").expect("subject"),
                org: OrgId::Agb(provider),
            },
            now,
        )
        .expect("registered");
        // A re-admission is a fact from the start: one count, whoever evaluates.
        registered.readmission = true;
        trajectory::Entity::insert(trajectory_to_row(&registered))
            .exec_without_returning(&conn)
            .await
            .expect("trajectory stored");

        let txn = begin_write(&conn).await.expect("begun");
        record_trajectory(&txn, &registered, &[])
            .await
            .expect("first");
        record_trajectory(&txn, &registered, &[])
            .await
            .expect("second");
        txn.commit().await.expect("committed");

        let counted: i64 = figure_delta::Entity::find()
            .all(&conn)
            .await
            .expect("deltas")
            .iter()
            .map(|d| d.count)
            .sum();
        assert_eq!(
            counted, 1,
            "the second evaluation saw the first one's facts"
        );
    }
}
