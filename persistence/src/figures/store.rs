//! Continuity figures: recording each trajectory's facts as counts in the writing
//! transaction (append-only deltas), folding deltas into rollups per reader's scope and
//! finest cell in the background, and answering a figures query from its rollups and the
//! deltas not yet folded, in one statement.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use herstelbrug_domain::figures::{
    self, Fact, FineCell, GroupAggregate, Grouping, Histogram, Metric, Month, Report, ReportQuery,
    rounding,
};
use herstelbrug_domain::{AgbCode, GemeenteCode, Referral, Rule, Trajectory};
use sea_orm::ActiveValue::Set;
use sea_orm::TransactionTrait as _;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryTrait as _, Statement, Value,
};

use crate::db::connect::begin_write;
use crate::db::write_txn::WriteTxn;
use crate::entity::{figure_contribution, figure_delta, figure_rollup};
use crate::error::StoreError;

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

/// A read's sum: whether of the total (else of a group), month, group, metric, detail.
type GroupKey = (bool, i32, String, String, String);

/// A rollup row's key: scope, grouping, month, group, metric, detail.
type RollupKey = (String, &'static str, i32, String, String, String);

/// A rollup row's value: the count, and for durations the days histogram.
#[derive(Default, Clone)]
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

    /// The report `query` asks for, over what `scope` may see: the grouping's rollups of
    /// rounded cells and the total's, corrected for the cells that unfolded deltas
    /// touch (their rounded value before and after), all read in one snapshot.
    pub async fn continuity(
        &self,
        scope: FigureScope,
        query: &ReportQuery,
    ) -> Result<Report, StoreError> {
        let backend = self.reader.get_database_backend();
        // One snapshot for the three reads, so a fold meanwhile can neither double nor
        // drop a count.
        let txn = match backend {
            DbBackend::Postgres => {
                self.reader
                    .begin_with_config(
                        Some(sea_orm::IsolationLevel::RepeatableRead),
                        Some(sea_orm::AccessMode::ReadOnly),
                    )
                    .await?
            }
            _ => self.reader.begin().await?,
        };
        let (from, to) = query.range.months();
        let (from, to) = (from.yyyymm(), to.yyyymm());
        let scope_name = scope_key(scope);
        let grouping = query.grouping.as_str();
        let m = |i: usize| marks(backend, i, 1);
        let sql = format!(
            "SELECT grouping, month, grp, metric, detail, count, histogram FROM figure_rollups \
             WHERE scope = {} AND grouping IN ({}, '{TOTAL}') AND month BETWEEN {} AND {} \
             AND (count <> 0 OR (histogram IS NOT NULL AND histogram <> ''))",
            m(0),
            m(1),
            m(2),
            m(3),
        );
        let values: Vec<Value> = vec![
            scope_name.clone().into(),
            grouping.into(),
            from.into(),
            to.into(),
        ];
        let mut sums: HashMap<GroupKey, (i64, Vec<i64>)> = HashMap::new();
        let add_days = |days: &mut Vec<i64>, d: i32, n: i64| {
            let d = usize::try_from(d.max(0)).unwrap_or(0);
            if days.len() <= d {
                days.resize(d + 1, 0);
            }
            days[d] += n;
        };
        for row in txn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?
        {
            let total = row.try_get::<String>("", "grouping")? == TOTAL;
            let key = (
                total,
                row.try_get::<i32>("", "month")?,
                row.try_get::<String>("", "grp")?,
                row.try_get::<String>("", "metric")?,
                row.try_get::<String>("", "detail")?,
            );
            let sum = sums.entry(key).or_default();
            sum.0 += row.try_get::<i64>("", "count")?;
            if let Some(encoded) = row.try_get::<Option<String>>("", "histogram")? {
                decode_into(&encoded, &mut |d, n| add_days(&mut sum.1, d, n))?;
            }
        }
        // Unfolded deltas, netted per cell, then each touched cell's rounding corrected.
        let mut values: Vec<Value> = vec![from.into(), to.into()];
        let scoped = match scope {
            FigureScope::Provider(p) => {
                values.push(p.to_string().into());
                format!(" AND provider = {}", m(2))
            }
            FigureScope::Municipality(g) => {
                values.push(g.to_string().into());
                format!(" AND municipality = {}", m(2))
            }
            FigureScope::All => String::new(),
        };
        let sql = format!(
            "SELECT month, municipality, provider, kind, service, metric, detail, days, count \
             FROM figure_deltas WHERE month BETWEEN {} AND {}{scoped}",
            m(0),
            m(1),
        );
        let mut touched: BTreeMap<RollupKey, Tally> = BTreeMap::new();
        for row in txn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?
        {
            let delta = Delta::from_row(&row)?;
            let tally = touched
                .entry((
                    scope_name.clone(),
                    CELL,
                    delta.month,
                    delta.cell(),
                    delta.metric.clone(),
                    delta.detail.clone(),
                ))
                .or_default();
            tally.count += delta.count;
            if measures_days(&delta.metric) {
                *tally.days.entry(delta.days).or_default() += delta.count;
            }
        }
        if !touched.is_empty() {
            let batch = touched.clone();
            let before = Self::merge_stored(&txn, &mut touched).await?;
            let changes = self.group_changes(&touched, &before, &batch)?;
            for ((_, g, month, group, metric, detail), change) in changes {
                if g != grouping && g != TOTAL {
                    continue;
                }
                let sum = sums
                    .entry((g == TOTAL, month, group, metric, detail))
                    .or_default();
                sum.0 += change.count;
                for (d, n) in change.days {
                    add_days(&mut sum.1, d, n);
                }
            }
        }
        txn.commit().await?;
        let mut totals = Vec::new();
        let mut groups = Vec::new();
        for ((total, month, group, metric, detail), (count, days)) in sums {
            let Ok(parsed) = metric.parse::<Metric>() else {
                return Err(StoreError::Corrupt(format!("figure metric `{metric}`")));
            };
            let mut histogram = Histogram::default();
            for (d, n) in days.iter().enumerate() {
                histogram.add(
                    i64::try_from(d).unwrap_or(0),
                    u64::try_from(*n).unwrap_or(0),
                );
            }
            let aggregate = GroupAggregate {
                month: Month::from_yyyymm(month)
                    .ok_or_else(|| StoreError::Corrupt(format!("figure month {month}")))?,
                group,
                metric: parsed,
                detail,
                days: histogram,
                rounded: u64::try_from(count).unwrap_or(0),
            };
            if total {
                totals.push(aggregate);
            } else {
                groups.push(aggregate);
            }
        }
        let open_gaps = self.open_gaps(scope).await?;
        Ok(figures::build_grouped(
            query,
            &totals,
            &groups,
            &open_gaps,
            &|identity| self.draw(identity),
        ))
    }

    /// Rollups of finest cells without the per-grouping rollups of their rounded values
    /// (a database migrated to cells, whose draws need the key the database does not
    /// hold): builds those in one transaction, once. Returns how many cells it read.
    pub async fn regroup_if_needed(&self) -> Result<usize, StoreError> {
        let backend = self.conn.get_database_backend();
        let any = |grouping: &str| {
            Statement::from_string(
                backend,
                format!(
                    "SELECT 1 AS one FROM figure_rollups WHERE grouping = '{grouping}' LIMIT 1"
                ),
            )
        };
        if self.conn.query_one_raw(any(CELL)).await?.is_none()
            || self.conn.query_one_raw(any(TOTAL)).await?.is_some()
        {
            return Ok(0);
        }
        let txn = begin_write(&self.conn).await?;
        let rows = txn
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT scope, month, grp, metric, detail, count, histogram \
                     FROM figure_rollups WHERE grouping = '{CELL}'"
                ),
            ))
            .await?;
        let mut cells: BTreeMap<RollupKey, Tally> = BTreeMap::new();
        for row in &rows {
            let tally = cells
                .entry((
                    row.try_get("", "scope")?,
                    CELL,
                    row.try_get("", "month")?,
                    row.try_get("", "grp")?,
                    row.try_get("", "metric")?,
                    row.try_get("", "detail")?,
                ))
                .or_default();
            tally.count += row.try_get::<i64>("", "count")?;
            if let Some(encoded) = row.try_get::<Option<String>>("", "histogram")? {
                decode_into(&encoded, &mut |days, n| {
                    *tally.days.entry(days).or_default() += n;
                })?;
            }
        }
        let groups = self.group_changes(&cells, &HashMap::new(), &cells)?;
        upsert_rollups(&txn, groups).await?;
        txn.commit().await?;
        Ok(cells.len())
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
        let batch = tallies.clone();
        let before = Self::merge_stored(&txn, &mut tallies).await?;
        let mut groups = self.group_changes(&tallies, &before, &batch)?;
        Self::merge_stored(&txn, &mut groups).await?;
        upsert_rollups(&txn, tallies.into_iter().chain(groups)).await?;
        txn.commit().await?;
        Ok(folded)
    }

    /// Adds what the rollups already hold to `tallies`, for the keys it has: per grouping,
    /// one query over the scopes, groups and months involved (per 400 groups). Returns
    /// the counts held before.
    async fn merge_stored<C: ConnectionTrait>(
        conn: &C,
        tallies: &mut BTreeMap<RollupKey, Tally>,
    ) -> Result<HashMap<RollupKey, i64>, StoreError> {
        let backend = conn.get_database_backend();
        let mut before = HashMap::new();
        let groupings: BTreeSet<&'static str> = tallies.keys().map(|k| k.1).collect();
        for grouping in groupings {
            let keys: Vec<&RollupKey> = tallies.keys().filter(|k| k.1 == grouping).collect();
            let scopes: BTreeSet<&str> = keys.iter().map(|k| k.0.as_str()).collect();
            let groups: BTreeSet<&str> = keys.iter().map(|k| k.3.as_str()).collect();
            let months: BTreeSet<i32> = keys.iter().map(|k| k.2).collect();
            let mut stored = Vec::new();
            let groups: Vec<&str> = groups.into_iter().collect();
            for group_chunk in groups.chunks(400) {
                let mut values: Vec<Value> = vec![grouping.into()];
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
                    conn.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                        .await?,
                );
            }
            for row in stored {
                let key: RollupKey = (
                    row.try_get("", "scope")?,
                    grouping,
                    row.try_get("", "month")?,
                    row.try_get("", "grp")?,
                    row.try_get("", "metric")?,
                    row.try_get("", "detail")?,
                );
                if let Some(tally) = tallies.get_mut(&key) {
                    let count = row.try_get::<i64>("", "count")?;
                    tally.count += count;
                    if let Some(histogram) = row.try_get::<Option<String>>("", "histogram")? {
                        decode_into(&histogram, &mut |days, n| {
                            *tally.days.entry(days).or_default() += n;
                        })?;
                    }
                    before.insert(key, count);
                }
            }
        }
        Ok(before)
    }

    /// What each grouping's rollups gain from cells going from `before` to `after`
    /// counts (`batch` holding this fold's own durations): the difference of each cell's
    /// rounded value, and the durations as they are.
    fn group_changes(
        &self,
        after: &BTreeMap<RollupKey, Tally>,
        before: &HashMap<RollupKey, i64>,
        batch: &BTreeMap<RollupKey, Tally>,
    ) -> Result<BTreeMap<RollupKey, Tally>, StoreError> {
        let mut groups: BTreeMap<RollupKey, Tally> = BTreeMap::new();
        for (key, tally) in after {
            let (scope, _, month, grp, metric, detail) = key;
            let cell = parse_cell(grp)?;
            let draw = self.draw(&cell.identity(*month, metric, detail));
            let round = |n: i64| {
                i64::try_from(rounding::round(u64::try_from(n).unwrap_or(0), draw))
                    .unwrap_or(i64::MAX)
            };
            let change = round(tally.count) - round(before.get(key).copied().unwrap_or(0));
            let days = batch.get(key).map(|t| &t.days);
            for (grouping, group) in grouped(&cell) {
                let target = groups
                    .entry((
                        scope.clone(),
                        grouping,
                        *month,
                        group,
                        metric.clone(),
                        detail.clone(),
                    ))
                    .or_default();
                target.count += change;
                for (day, n) in days.into_iter().flatten() {
                    *target.days.entry(*day).or_default() += n;
                }
            }
        }
        Ok(groups)
    }
}

/// Writes rollup rows, replacing the count and histogram of rows that exist (the
/// tallies hold the stored values already, merged).
async fn upsert_rollups(
    txn: &WriteTxn,
    tallies: impl IntoIterator<Item = (RollupKey, Tally)>,
) -> Result<(), StoreError> {
    use figure_rollup::Column as C;
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
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The groups a finest cell counts in: its value in each grouping, and the total.
fn grouped(cell: &FineCell) -> [(&'static str, String); 5] {
    let of = |g: Grouping| (g.as_str(), figures::group_value(g, cell));
    [
        of(Grouping::Municipality),
        of(Grouping::Provider),
        of(Grouping::Kind),
        of(Grouping::Service),
        (TOTAL, String::new()),
    ]
}

/// The grouping of the rollups that hold everything in a scope.
const TOTAL: &str = "total";

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use herstelbrug_domain::{Actor, ClientRef, OrgId, Registration, Subject, TrajectoryId};
    use sea_orm_migration::MigratorTrait as _;

    use super::*;
    use crate::entity::trajectory;
    use crate::trajectory::row::trajectory_to_row;

    #[tokio::test]
    async fn a_second_evaluation_in_one_transaction_counts_nothing_twice() {
        let conn = sea_orm::Database::connect("sqlite::memory:")
            .await
            .expect("opened");
        crate::db::migration::Migrator::up(&conn, None)
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
                org: OrgId::Agb(provider).into(),
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

    /// The report read from the rollups the fold keeps (rounded per grouping) and the
    /// unfolded deltas equals the report built from every finest cell rounded anew, for
    /// every grouping, after folds that change cells already folded.
    #[tokio::test]
    async fn folded_group_rollups_give_the_report_of_the_finest_cells() {
        use herstelbrug_domain::catalog::WaitingPolicy;
        use herstelbrug_domain::figures::{Aggregate, Interval, PeriodRange};
        let conn = sea_orm::Database::connect("sqlite::memory:")
            .await
            .expect("opened");
        crate::db::migration::Migrator::up(&conn, None)
            .await
            .expect("migrated");
        let store = FiguresStore::new(conn.clone()).with_rounding_key([9; 32]);
        let range = PeriodRange::parse(Interval::Month, None, None, Utc::now().date_naive())
            .expect("range");
        let months: Vec<i32> = range
            .periods()
            .iter()
            .take(3)
            .map(|p| p.months().0.yyyymm())
            .collect();
        let cells = [
            ("gemeente:0268", "agb:12345678", "", "", "ending", ""),
            (
                "gemeente:0268",
                "agb:12345678",
                "",
                "",
                "ending_with_follow_up",
                "",
            ),
            ("gemeente:0363", "agb:12345678", "", "", "ending", ""),
            ("gemeente:0268", "agb:87654321", "", "", "ending", ""),
            (
                "gemeente:0268",
                "agb:12345678",
                "housing",
                "",
                "referral_accepted",
                "",
            ),
            (
                "gemeente:0363",
                "agb:87654321",
                "peer_support",
                "",
                "wait_to_acceptance",
                "",
            ),
        ];
        let mut truth: BTreeMap<(i32, usize), i64> = BTreeMap::new();
        let mut next = 7u64;
        let mut add = async |rounds: usize, truth: &mut BTreeMap<(i32, usize), i64>| {
            let mut rows = Vec::new();
            for _ in 0..rounds {
                next = next.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let month = months[(next >> 33) as usize % months.len()];
                let at = (next >> 40) as usize % cells.len();
                let (municipality, provider, kind, service, metric, detail) = cells[at];
                let count = 1 + (next >> 50) as i64 % 3;
                *truth.entry((month, at)).or_default() += count;
                rows.push(figure_delta::ActiveModel {
                    id: sea_orm::ActiveValue::NotSet,
                    month: Set(month),
                    provider: Set(provider.to_owned()),
                    municipality: Set(municipality.to_owned()),
                    kind: Set(kind.to_owned()),
                    service: Set(service.to_owned()),
                    metric: Set(metric.to_owned()),
                    detail: Set(detail.to_owned()),
                    days: Set(i32::try_from(next >> 58).unwrap_or(0)),
                    count: Set(count),
                });
            }
            figure_delta::Entity::insert_many(rows)
                .exec_without_returning(&conn)
                .await
                .expect("inserted");
        };
        add(40, &mut truth).await;
        store.fold(25).await.expect("folds");
        add(40, &mut truth).await;
        store.fold(30).await.expect("folds");
        add(10, &mut truth).await;
        // Every finest cell with its true count, as the report from cells wants them.
        let fine: Vec<Aggregate> = {
            let mut all: BTreeMap<(i32, usize), Histogram> = BTreeMap::new();
            let deltas = conn
                .query_all_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    "SELECT 1 AS one FROM figure_deltas",
                ))
                .await
                .expect("read");
            assert!(!deltas.is_empty(), "some deltas stay unfolded");
            for ((month, at), count) in &truth {
                all.entry((*month, *at))
                    .or_default()
                    .add(0, u64::try_from(*count).unwrap_or(0));
            }
            all.into_iter()
                .map(|((month, at), days)| {
                    let (municipality, provider, kind, service, metric, detail) = cells[at];
                    Aggregate {
                        month: Month::from_yyyymm(month).expect("month"),
                        cell: FineCell {
                            municipality: municipality.to_owned(),
                            provider: provider.to_owned(),
                            kind: kind.to_owned(),
                            service: service.to_owned(),
                        },
                        metric: metric.parse().expect("metric"),
                        detail: detail.to_owned(),
                        days,
                    }
                })
                .collect()
        };
        for grouping in Grouping::ALL {
            let query = ReportQuery {
                range: range.clone(),
                grouping: *grouping,
                norms: WaitingPolicy::default(),
            };
            let read = store
                .continuity(FigureScope::All, &query)
                .await
                .expect("read");
            let built = figures::build(&query, &fine, &[], &|identity| store.draw(identity));
            let counts = |r: &Report| {
                (
                    r.total.whole_range.referrals.accepted,
                    r.total
                        .whole_range
                        .trajectories
                        .as_ref()
                        .map(|t| (t.endings, t.endings_with_follow_up)),
                    r.groups
                        .iter()
                        .map(|g| (g.group.clone(), g.whole_range.referrals.accepted))
                        .collect::<Vec<_>>(),
                    r.total
                        .periods
                        .iter()
                        .map(|p| p.trajectories.as_ref().map(|t| t.endings))
                        .collect::<Vec<_>>(),
                )
            };
            assert_eq!(counts(&read), counts(&built), "{grouping}");
        }
        // A database with cells but no group rollups (migrated to cells) is regrouped once
        // at start, to the same report.
        let query = ReportQuery {
            range: range.clone(),
            grouping: Grouping::Municipality,
            norms: WaitingPolicy::default(),
        };
        let before = store
            .continuity(FigureScope::All, &query)
            .await
            .expect("read");
        conn.execute_unprepared("DELETE FROM figure_rollups WHERE grouping <> 'cell'")
            .await
            .expect("dropped");
        assert!(store.regroup_if_needed().await.expect("regrouped") > 0);
        assert_eq!(store.regroup_if_needed().await.expect("once"), 0);
        let after = store
            .continuity(FigureScope::All, &query)
            .await
            .expect("read");
        assert_eq!(after, before);
    }
}
