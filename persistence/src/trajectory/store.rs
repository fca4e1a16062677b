//! Loading and saving trajectories: registration, optimistic-concurrency transitions,
//! filtered cursor pages, and history. Every write is one transaction.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use herstelbrug_domain::VersionMatch;
use herstelbrug_domain::fhir::UpdatedWindow;
use herstelbrug_domain::{IdentifiedKind, Identifier, OrgId};

use crate::identifier;
use crate::identifier::store::IdentifiedObject;
use herstelbrug_domain::{
    AgbCode, ContinuityPolicy, GemeenteCode, Phase, ReferralEvent, Registration, Trajectory,
    TrajectoryEvent, TrajectoryId, TransitionCommand,
};
use sea_orm::QueryTrait as _;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::continuity;
use crate::db::connect::Database;
use crate::db::connect::begin_write;
use crate::db::group_commit::GroupCommit;
use crate::db::idempotency::Write;
use crate::db::idempotency::{self, Replayable};
use crate::db::paging;
use crate::db::write_txn::WriteTxn;
use crate::entity::{referral_event, trajectory, trajectory_event};
use crate::error::StoreError;
use crate::feed::signal::FeedSignal;
use crate::referral::row::referral_event_from_row;
use crate::trajectory::row::{
    event_from_row, event_to_row, stored_version, trajectory_from_row, trajectory_to_row,
};

/// A BSN as stored: the keyed hash it is matched by, and the encrypted number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBsn {
    pub matcher: String,
    pub sealed: String,
}

/// Everything that happened to a trajectory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoryHistory {
    /// Registration and phase changes, by sequence.
    pub phases: Vec<TrajectoryEvent>,
    /// Changes of its referrals, by time.
    pub referrals: Vec<ReferralEvent>,
}

/// Whose trajectories a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only those of one treating provider.
    Provider(AgbCode),
    /// All (administrators).
    All,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrajectoryFilter {
    pub phase: Option<Phase>,
    /// Only these trajectories.
    pub ids: Option<Vec<TrajectoryId>>,
    /// Only trajectories in one of these phases.
    pub phases: Option<Vec<Phase>>,
    /// Only trajectories last changed in this window.
    pub updated: UpdatedWindow,
    pub municipality: Option<GemeenteCode>,
    pub updated_since: Option<DateTime<Utc>>,
    /// Only the trajectory this organisation gave this identifier.
    pub identifier: Option<(OrgId, Identifier)>,
    /// Return trajectories after this one in id (creation) order.
    pub after: Option<TrajectoryId>,
    pub limit: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoryPage {
    pub items: Vec<Trajectory>,
    /// Set when more items follow; pass it back as `after`.
    pub next: Option<TrajectoryId>,
}

/// A trajectory to register: the caller's new id, what the provider sent, and the
/// client's sealed BSN and identifiers if any.
pub struct NewTrajectory<'a> {
    pub id: TrajectoryId,
    pub registration: Registration,
    pub provider: AgbCode,
    pub bsn: Option<&'a SealedBsn>,
    pub identifiers: &'a [Identifier],
}

/// A transition of trajectory `id` of `provider`, taken if its version satisfies `if_match`.
pub struct TrajectoryMove<'a> {
    pub id: TrajectoryId,
    pub provider: AgbCode,
    pub if_match: &'a VersionMatch,
    pub command: &'a TransitionCommand,
}

#[derive(Clone, Debug)]
pub struct TrajectoryStore {
    conn: DatabaseConnection,
    /// For reads outside a write (`Database::reader`).
    reader: DatabaseConnection,
    signal: Arc<FeedSignal>,
    policy: ContinuityPolicy,
    /// SQLite: concurrent registrations and transitions share one commit.
    group: Option<Arc<GroupCommit>>,
}

fn visible(
    select: Select<trajectory::Entity>,
    visibility: Visibility,
) -> Select<trajectory::Entity> {
    match visibility {
        Visibility::Provider(provider) => {
            select.filter(trajectory::Column::TreatingProvider.eq(provider.to_string()))
        }
        Visibility::All => select,
    }
}

impl TrajectoryStore {
    /// `signal` wakes alert-feed readers; `policy` sets the alert rules' thresholds.
    /// On SQLite this starts the group committer, so it must run inside the runtime.
    pub fn new(db: &Database, signal: Arc<FeedSignal>, policy: ContinuityPolicy) -> Self {
        let conn = db.conn.clone();
        let group = (conn.get_database_backend() == sea_orm::DbBackend::Sqlite)
            .then(|| GroupCommit::start(conn.clone()));
        Self {
            conn,
            reader: db.reader.clone(),
            signal,
            policy,
            group,
        }
    }

    /// A writing transaction: on SQLite a member of the group commit when another
    /// writer is in flight.
    async fn begin(&self) -> Result<WriteTxn, sea_orm::DbErr> {
        match &self.group {
            Some(group) => {
                let (in_flight, company) = group.enter();
                let txn = if company {
                    let (savepoint, membership) = group.join().await?;
                    WriteTxn::grouped(savepoint, membership)
                } else {
                    begin_write(&self.conn).await?
                };
                Ok(txn.counted(in_flight))
            }
            None => begin_write(&self.conn).await,
        }
    }

    /// Registers a trajectory for the actor's provider.
    pub async fn register(
        &self,
        new: NewTrajectory<'_>,
        write: Write<'_, Trajectory>,
    ) -> Result<Replayable, StoreError> {
        let NewTrajectory {
            id,
            registration,
            provider,
            bsn,
            identifiers,
        } = new;
        let Write { context, respond } = write;
        let (actor, now) = (context.actor.clone(), context.now);
        let client_ref = registration.client_ref.to_string();
        let respond = |(written, _): &(Trajectory, Vec<String>)| respond(written);
        let keyed = idempotency::run(
            &self.conn,
            &context,
            &respond,
            |_| None,
            async || Ok(self.begin().await?),
            async |txn: &WriteTxn| {
                // An open trajectory under the same reference is not looked for here: the
                // unique index ux_trajectories_open_client refuses the deferred insert, and
                // `open_client_conflict` names the one that holds it.
                // The same person under another reference is still the same client.
                if let Some(bsn) = bsn {
                    let same_person = trajectory::Entity::find()
                        .filter(trajectory::Column::TreatingProvider.eq(provider.to_string()))
                        .filter(trajectory::Column::BsnMatcher.eq(bsn.matcher.clone()))
                        .filter(trajectory::Column::Phase.ne(Phase::Closed.as_str()))
                        .one(txn)
                        .await?;
                    if let Some(existing) = same_person {
                        return Err(StoreError::OpenTrajectoryExists {
                            existing: TrajectoryId::from_uuid(existing.id),
                        });
                    }
                }
                // A re-entry follows a closed trajectory of the same provider; within 90 days
                // of that closure it is a re-admission.
                let previous_closed_on = match registration.previous {
                    Some(previous) => {
                        let row = trajectory::Entity::find_by_id(previous.as_uuid())
                            .filter(trajectory::Column::TreatingProvider.eq(provider.to_string()))
                            .one(txn)
                            .await?
                            .ok_or(herstelbrug_domain::FieldError::FieldRule {
                                field: "previous_trajectory",
                                rule: "no trajectory of this provider has that id",
                            })?;
                        if row.phase != Phase::Closed.as_str() {
                            return Err(herstelbrug_domain::FieldError::FieldRule {
                                field: "previous_trajectory",
                                rule: "a re-entry follows a closed trajectory",
                            }
                            .into());
                        }
                        Some(row.phase_since)
                    }
                    None => None,
                };
                let (mut trajectory, event) =
                    Trajectory::register(id, registration, provider, actor, now)?;
                trajectory.readmission = previous_closed_on.is_some_and(|closed| {
                    herstelbrug_domain::aftercare::is_readmission(closed, trajectory.started_on)
                });
                let mut row = trajectory_to_row(&trajectory);
                row.bsn_matcher = sea_orm::ActiveValue::Set(bsn.map(|b| b.matcher.clone()));
                row.bsn_sealed = sea_orm::ActiveValue::Set(bsn.map(|b| b.sealed.clone()));
                // Deferred with everything after it: a new trajectory has nothing to read back.
                txn.defer(trajectory::Entity::insert(row).into_query());
                let object = IdentifiedObject {
                    owner: OrgId::Agb(provider),
                    kind: IdentifiedKind::Trajectory,
                    resource: id.as_uuid(),
                };
                identifier::store::attach(txn, object, identifiers, now).await?;
                txn.defer(trajectory_event::Entity::insert(event_to_row(&event)?).into_query());
                let woken = continuity::evaluate_new(
                    txn,
                    &trajectory,
                    now,
                    &self.policy,
                    event.change.kind(),
                )
                .await?;
                Ok((trajectory, woken))
            },
        )
        .await;
        let keyed = match keyed {
            Err(StoreError::Database(err)) => {
                return Err(self.open_client_conflict(provider, &client_ref, err).await);
            }
            other => other?,
        };
        if let Some((_, woken)) = &keyed.written {
            self.signal.notify_all(woken);
        }
        Ok(keyed.outcome)
    }

    /// A registration the database refused on a unique index: if the client has an open
    /// trajectory at the provider (committed first, by an earlier or a concurrent
    /// request), that is the answer; otherwise the refusal stands as it is.
    async fn open_client_conflict(
        &self,
        provider: AgbCode,
        client_ref: &str,
        err: sea_orm::DbErr,
    ) -> StoreError {
        if !matches!(
            err.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            return StoreError::Database(err);
        }
        let open = trajectory::Entity::find()
            .filter(trajectory::Column::TreatingProvider.eq(provider.to_string()))
            .filter(trajectory::Column::ClientRef.eq(client_ref))
            .filter(trajectory::Column::Phase.ne(Phase::Closed.as_str()))
            .one(&self.conn)
            .await;
        match open {
            Ok(Some(existing)) => StoreError::OpenTrajectoryExists {
                existing: TrajectoryId::from_uuid(existing.id),
            },
            // Without an open trajectory to name (or with the lookup failing too), the
            // refusal itself is the answer.
            Ok(None) | Err(_) => StoreError::Database(err),
        }
    }

    /// Appends `event` and re-evaluates continuity on `trajectory`, which this transaction
    /// has just written or locked; returns the organisations to wake.
    async fn append(
        &self,
        txn: &WriteTxn,
        trajectory: &Trajectory,
        event: &TrajectoryEvent,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        txn.defer(trajectory_event::Entity::insert(event_to_row(event)?).into_query());
        continuity::evaluate_loaded(txn, trajectory, now, &self.policy, event.change.kind()).await
    }

    /// Applies a transition if the current version satisfies `if_match`; only the treating provider may.
    pub async fn transition(
        &self,
        change: TrajectoryMove<'_>,
        write: Write<'_, Trajectory>,
    ) -> Result<Replayable, StoreError> {
        let TrajectoryMove {
            id,
            provider,
            if_match,
            command,
        } = change;
        let Write { context, respond } = write;
        let (actor, now) = (context.actor.clone(), context.now);
        let respond = |(written, _): &(Trajectory, Vec<String>)| respond(written);
        let keyed = idempotency::run(
            &self.conn,
            &context,
            &respond,
            |_| None,
            async || Ok(self.begin().await?),
            async |txn: &WriteTxn| {
                // Locked as it is read (PostgreSQL; SQLite's writer already holds the write
                // lock): no concurrent writer can change the version checked here before this
                // transaction commits, so the update need not come back to confirm it.
                let row = visible(
                    trajectory::Entity::find_by_id(id.as_uuid()),
                    Visibility::Provider(provider),
                )
                .lock_exclusive()
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound)?;
                let mut trajectory = trajectory_from_row(row)?;
                let before = trajectory.version;
                if !if_match.admits(before) {
                    return Err(StoreError::VersionMismatch { current: before });
                }
                let event = trajectory.decide(command, actor, now)?;
                trajectory.apply(&event);
                txn.defer(
                    trajectory::Entity::update_many()
                        .set(trajectory_to_row(&trajectory))
                        .filter(trajectory::Column::Id.eq(id.as_uuid()))
                        .filter(trajectory::Column::Version.eq(stored_version(before)))
                        .into_query(),
                );
                let woken = self.append(txn, &trajectory, &event, now).await?;
                Ok((trajectory, woken))
            },
        )
        .await?;
        if let Some((_, woken)) = &keyed.written {
            self.signal.notify_all(woken);
        }
        Ok(keyed.outcome)
    }

    /// The reader's trajectories of the client with this BSN hash.
    pub async fn find_by_bsn(
        &self,
        matcher: &str,
        visibility: Visibility,
    ) -> Result<Vec<Trajectory>, StoreError> {
        visible(trajectory::Entity::find(), visibility)
            .filter(trajectory::Column::BsnMatcher.eq(matcher))
            .order_by_asc(trajectory::Column::Id)
            .limit(500)
            .all(&self.reader)
            .await?
            .into_iter()
            .map(trajectory_from_row)
            .collect()
    }

    /// The trajectories of a client reference the reader may see, and their referrals' ids.
    pub async fn client_subjects(
        &self,
        client_ref: &str,
        visibility: Visibility,
    ) -> Result<(Vec<uuid::Uuid>, Vec<uuid::Uuid>), StoreError> {
        let trajectories: Vec<uuid::Uuid> = visible(trajectory::Entity::find(), visibility)
            .filter(trajectory::Column::ClientRef.eq(client_ref))
            .select_only()
            .column(trajectory::Column::Id)
            .into_tuple::<uuid::Uuid>()
            .all(&self.reader)
            .await?;
        if trajectories.is_empty() {
            return Ok((trajectories, Vec::new()));
        }
        let referrals = crate::entity::referral::Entity::find()
            .filter(
                crate::entity::referral::Column::TrajectoryId.is_in(trajectories.iter().copied()),
            )
            .select_only()
            .column(crate::entity::referral::Column::Id)
            .into_tuple::<uuid::Uuid>()
            .all(&self.reader)
            .await?;
        Ok((trajectories, referrals))
    }

    pub async fn get(
        &self,
        id: TrajectoryId,
        visibility: Visibility,
    ) -> Result<Trajectory, StoreError> {
        let row = visible(trajectory::Entity::find_by_id(id.as_uuid()), visibility)
            .one(&self.reader)
            .await?
            .ok_or(StoreError::NotFound)?;
        trajectory_from_row(row)
    }

    pub async fn list(
        &self,
        visibility: Visibility,
        filter: &TrajectoryFilter,
    ) -> Result<TrajectoryPage, StoreError> {
        use trajectory::Column;
        let mut select = visible(trajectory::Entity::find(), visibility);
        if let Some(phase) = filter.phase {
            select = select.filter(Column::Phase.eq(phase.as_str()));
        }
        if let Some(municipality) = filter.municipality {
            select = select.filter(Column::Municipality.eq(municipality.to_string()));
        }
        if let Some(since) = filter.updated_since {
            select = select.filter(Column::UpdatedAt.gte(since));
        }
        if let Some(ids) = &filter.ids {
            select = select.filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())));
        }
        if let Some(phases) = &filter.phases {
            select = select.filter(Column::Phase.is_in(phases.iter().map(|p| p.as_str())));
        }
        if let Some(from) = filter.updated.from {
            select = select.filter(Column::UpdatedAt.gte(from));
        }
        if let Some(before) = filter.updated.before {
            select = select.filter(Column::UpdatedAt.lt(before));
        }
        if let Some((owner, identifier)) = &filter.identifier {
            select = select.filter(Column::Id.in_subquery(identifier::store::holders(
                *owner,
                IdentifiedKind::Trajectory,
                identifier,
            )));
        }
        if let Some(after) = filter.after {
            select = select.filter(Column::Id.gt(after.as_uuid()));
        }
        let (items, more) = paging::page(
            select,
            Column::Id,
            filter.limit,
            &self.reader,
            trajectory_from_row,
        )
        .await?;
        let next = if more {
            items.last().map(|t| t.id)
        } else {
            None
        };
        Ok(TrajectoryPage { items, next })
    }

    /// The trajectory's history: its own events and those of its referrals, each oldest first.
    pub async fn history(
        &self,
        id: TrajectoryId,
        visibility: Visibility,
    ) -> Result<TrajectoryHistory, StoreError> {
        let visible_row = visible(trajectory::Entity::find_by_id(id.as_uuid()), visibility)
            .select_only()
            .column(trajectory::Column::Id)
            .into_tuple::<uuid::Uuid>()
            .one(&self.reader)
            .await?;
        if visible_row.is_none() {
            return Err(StoreError::NotFound);
        }
        let phases = trajectory_event::Entity::find()
            .filter(trajectory_event::Column::TrajectoryId.eq(id.as_uuid()))
            .order_by_asc(trajectory_event::Column::Sequence)
            .all(&self.reader)
            .await?
            .into_iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let referrals = referral_event::Entity::find()
            .filter(referral_event::Column::TrajectoryId.eq(id.as_uuid()))
            .order_by_asc(referral_event::Column::RecordedAt)
            .order_by_asc(referral_event::Column::Sequence)
            .all(&self.reader)
            .await?
            .into_iter()
            .map(referral_event_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrajectoryHistory { phases, referrals })
    }
}
