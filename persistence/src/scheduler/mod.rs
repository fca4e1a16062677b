//! The deadline scheduler: claims due timers in batches, so replicas never fire one twice,
//! and re-evaluates their trajectories. A claim is a lease: a crashed worker's timers are
//! claimed again when it runs out, and a late worker cannot write over a newer claim.

use futures_util::StreamExt as _;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use herstelbrug_domain::{ContinuityPolicy, TrajectoryId};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Statement,
};
use uuid::Uuid;

use crate::continuity;
use crate::db::connect::begin_write;
use crate::entity::timer;
use crate::error::StoreError;
use crate::feed::signal::FeedSignal;

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    pub claimed: usize,
    pub fired: usize,
    /// Figure deltas folded into the rolled-up cells.
    pub folded: usize,
}

#[derive(Clone, Debug)]
pub struct Scheduler {
    conn: DatabaseConnection,
    signal: Arc<FeedSignal>,
    policy: ContinuityPolicy,
    batch: u32,
    lease: Duration,
    rounding_key: [u8; 32],
}

// PostgreSQL: SKIP LOCKED lets replicas claim disjoint batches without waiting on each
// other. SQLite has no row locks (sea-query would drop them silently); one statement with
// a single writer is the atomic conditional claim.
/// Claimed deadlines fired in one transaction: one commit instead of sixteen, while a
/// transaction holds SQLite's one writer for a bounded time (about 16 evaluations)
/// between the API's writes. On PostgreSQL a tick runs two such transactions at a time.
const FIRED_TOGETHER: usize = 16;

/// PostgreSQL: groups of a tick fired at the same time.
const SIDE_BY_SIDE: usize = 2;

const CLAIM_POSTGRES: &str = "UPDATE timers SET lease_until = $1, lease_token = $2 \
    WHERE trajectory_id IN (SELECT trajectory_id FROM timers \
        WHERE due_at <= $3 AND (lease_until IS NULL OR lease_until < $3) \
        ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
    RETURNING trajectory_id";
const CLAIM_SQLITE: &str = "UPDATE timers SET lease_until = ?, lease_token = ? \
    WHERE trajectory_id IN (SELECT trajectory_id FROM timers \
        WHERE due_at <= ? AND (lease_until IS NULL OR lease_until < ?) \
        ORDER BY due_at LIMIT ?) \
    RETURNING trajectory_id";

impl Scheduler {
    pub fn new(
        conn: DatabaseConnection,
        signal: Arc<FeedSignal>,
        policy: ContinuityPolicy,
        batch: u32,
        lease: Duration,
    ) -> Self {
        Self {
            conn,
            signal,
            policy,
            batch,
            lease,
            rounding_key: [0; 32],
        }
    }

    /// The figures' rounding key (`FiguresStore::with_rounding_key`): the fold keeps
    /// rollups of rounded cells, so it must round as the reads do.
    pub fn with_rounding_key(self, rounding_key: [u8; 32]) -> Self {
        Self {
            rounding_key,
            ..self
        }
    }

    pub fn batch(&self) -> u32 {
        self.batch
    }

    /// Claims up to one batch of timers due at `now` and fires each.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, StoreError> {
        let token = Uuid::new_v4();
        let claimed = self.claim(now, token).await?;
        let mut report = TickReport {
            claimed: claimed.len(),
            fired: 0,
            folded: 0,
        };
        // On PostgreSQL two groups side by side, each on a connection of its own: a
        // group's time is mostly round trips, which overlap. Not more: a burst of due
        // deadlines would take the pool and the cores from the requests (the national
        // day's night batch went from a p50 of 29 ms to 4.3 s with every group of a tick
        // at once). SQLite's one writer takes them in turn anyway; racing was slower.
        let width = match self.conn.get_database_backend() {
            DbBackend::Postgres => SIDE_BY_SIDE,
            _ => 1,
        };
        let groups: Vec<_> = claimed
            .chunks(FIRED_TOGETHER)
            .map(|together| self.fire_together(together, token, now))
            .collect();
        let mut fired = futures_util::stream::iter(groups).buffer_unordered(width);
        while let Some(group) = fired.next().await {
            report.fired += group?;
        }
        // The figures' deltas are folded here too: a tick is the background work there is.
        report.folded = crate::FiguresStore::new(self.conn.clone())
            .with_rounding_key(self.rounding_key)
            .fold(self.batch.saturating_mul(10))
            .await?;
        Ok(report)
    }

    async fn claim(
        &self,
        now: DateTime<Utc>,
        token: Uuid,
    ) -> Result<Vec<TrajectoryId>, StoreError> {
        let lease_until = now + self.lease;
        let backend = self.conn.get_database_backend();
        let statement = match backend {
            DbBackend::Postgres => Statement::from_sql_and_values(
                backend,
                CLAIM_POSTGRES,
                [
                    lease_until.into(),
                    token.into(),
                    now.into(),
                    i64::from(self.batch).into(),
                ],
            ),
            _ => Statement::from_sql_and_values(
                backend,
                CLAIM_SQLITE,
                [
                    lease_until.into(),
                    token.into(),
                    now.into(),
                    now.into(),
                    i64::from(self.batch).into(),
                ],
            ),
        };
        self.conn
            .query_all_raw(statement)
            .await?
            .iter()
            .map(|row| {
                row.try_get::<Uuid>("", "trajectory_id")
                    .map(TrajectoryId::from_uuid)
                    .map_err(StoreError::from)
            })
            .collect()
    }

    /// Re-evaluates claimed trajectories whose claim is still ours in one transaction, so
    /// they share one commit (a commit is most of what firing a deadline costs). If that
    /// transaction fails, each is fired alone, so one trajectory that cannot be evaluated
    /// holds up no other. Returns how many fired.
    async fn fire_together(
        &self,
        trajectories: &[TrajectoryId],
        token: Uuid,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if trajectories.len() > 1 {
            match self.fire_in_one(trajectories, token, now).await {
                Ok(fired) => return Ok(fired),
                Err(e) => {
                    tracing::warn!(error = %e, "deadlines fired together failed; firing each alone")
                }
            }
        }
        let mut fired = 0;
        for trajectory in trajectories {
            fired += self
                .fire_in_one(std::slice::from_ref(trajectory), token, now)
                .await?;
        }
        Ok(fired)
    }

    async fn fire_in_one(
        &self,
        trajectories: &[TrajectoryId],
        token: Uuid,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let txn = begin_write(&self.conn).await?;
        let mut fired = 0;
        let mut woken = Vec::new();
        for &trajectory in trajectories {
            if Self::still_ours(&txn, trajectory, token).await? {
                woken.extend(
                    continuity::evaluate(&txn, trajectory, now, &self.policy, "deadline").await?,
                );
                fired += 1;
            }
        }
        txn.commit().await?;
        woken.sort();
        woken.dedup();
        for org in &woken {
            self.signal.notify(org);
        }
        Ok(fired)
    }

    /// Locks the trajectory's timer if this claim still holds it. Fencing: a worker whose
    /// lease ran out and was taken over finds another token.
    async fn still_ours(
        txn: &crate::db::write_txn::WriteTxn,
        trajectory: TrajectoryId,
        token: Uuid,
    ) -> Result<bool, StoreError> {
        Ok(timer::Entity::find_by_id(trajectory.as_uuid())
            .filter(timer::Column::LeaseToken.eq(token))
            .lock_exclusive()
            .one(txn)
            .await?
            .is_some())
    }
}
