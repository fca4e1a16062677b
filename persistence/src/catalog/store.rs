//! The building-block catalog: owners create, change and retire their services and post
//! capacity; anyone authenticated searches it. Every change is in the service's own
//! history. Measured waiting times are derived from the referrals sent to a service, read
//! for a whole page of services in one query: nothing is computed by a nightly job.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use herstelbrug_domain::VersionMatch;
use herstelbrug_domain::fhir::UpdatedWindow;
use herstelbrug_domain::{IdentifiedKind, Identifier};

use crate::identifier;
use crate::identifier::store::IdentifiedObject;
use herstelbrug_domain::catalog::{
    Capacity, Handoff, Service, ServiceDetails, ServiceStatus, WaitingPolicy, WaitingTimes,
    waiting_times,
};
use herstelbrug_domain::{CatalogError, GemeenteCode, OrgId, ReferralKind, ServiceId};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryTrait as _;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::catalog::measured::measured_referrals;
use crate::catalog::organisation::check_registered;
use crate::catalog::row::{capacity_columns, details_columns, service_from_row, service_to_row};
use crate::db::idempotency::Write;
use crate::db::idempotency::{Replayable, Respond, WriteContext, keyed_write};
use crate::db::write_txn::WriteTxn;
use crate::entity::{referral, service, service_area, service_event};
use crate::error::StoreError;
use crate::feed::signal::FeedSignal;
use crate::feed::{self, CATALOG_KEY, FeedCursor, Page, Stream};
use crate::trajectory::row::stored_version;

/// A service with what Herstelbrug measured of it.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogEntry {
    pub service: Service,
    pub waiting: WaitingTimes,
}

/// An owner's replacement of its service's record.
#[derive(Debug, Clone)]
pub struct ServiceUpdate {
    pub id: ServiceId,
    pub owner: OrgId,
    /// The versions the caller's `If-Match` admits.
    pub if_match: VersionMatch,
    pub details: ServiceDetails,
    /// Replaces the owner's identifiers of the service; `None` leaves them.
    pub identifiers: Option<Vec<Identifier>>,
}

/// What a search asks for.
#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    pub kind: Option<ReferralKind>,
    pub serves: Option<GemeenteCode>,
    pub status: Option<ServiceStatus>,
    /// Only services in one of these statuses.
    pub statuses: Option<Vec<ServiceStatus>>,
    /// Only these services.
    pub ids: Option<Vec<ServiceId>>,
    /// Only services last changed in this window.
    pub updated: UpdatedWindow,
    /// Only services that admit a client of this age.
    pub age: Option<u8>,
    /// Only services whose capacity says there is room.
    pub with_capacity: bool,
    pub owner: Option<OrgId>,
    /// Only the service this organisation gave this identifier.
    pub identifier: Option<(OrgId, Identifier)>,
    pub modified_after: Option<DateTime<Utc>>,
    pub sort: CatalogSort,
    /// Keyset: where the previous page ended, in the same order.
    pub after: Option<CatalogPosition>,
    pub limit: u64,
}

/// The order of a search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CatalogSort {
    /// Oldest first (by id), paged in the database.
    #[default]
    Id,
    /// Shortest measured median wait to acceptance first; unmeasured last.
    MeasuredWait,
    /// Shortest wait its owner states first; none stated last.
    StatedWait,
}

/// Where a page ended: the last service's sort key (`None`: no figure, sorted last) and id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CatalogPosition {
    pub key: Option<f64>,
    pub id: Uuid,
}

impl CatalogSort {
    /// The key `entry` sorts by; `None` sorts after every figure.
    pub fn key(self, entry: &CatalogEntry) -> Option<f64> {
        match self {
            CatalogSort::Id => None,
            CatalogSort::MeasuredWait => match entry.waiting.to_acceptance {
                herstelbrug_domain::catalog::Measured::Figure(f) => Some(f.median_days),
                herstelbrug_domain::catalog::Measured::InsufficientData => None,
            },
            CatalogSort::StatedWait => entry.service.details.stated_wait_days.map(f64::from),
        }
    }

    fn order(key: Option<f64>, id: Uuid, other_key: Option<f64>, other_id: Uuid) -> Ordering {
        let by_key = match (key, other_key) {
            (Some(a), Some(b)) => a.total_cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_key.then(id.cmp(&other_id))
    }
}

/// Most services one waiting-time query asks about (bound parameters stay well under
/// SQLite's limit of 32,766).
const WAITING_CHUNK: usize = 5_000;

/// One change in a service's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceChange {
    pub sequence: u32,
    pub change: String,
    pub detail: serde_json::Value,
    pub subject: String,
    pub org: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct CatalogStore {
    conn: DatabaseConnection,
    policy: WaitingPolicy,
    signal: Arc<FeedSignal>,
}

/// One change of the catalog feed, with the service as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogFeedItem {
    pub position: FeedCursor,
    pub change: String,
    pub recorded_at: DateTime<Utc>,
    pub entry: CatalogEntry,
}

/// Puts a change of `s` in the catalog feed, in the change's own transaction.
async fn announce(
    txn: &WriteTxn,
    s: &Service,
    change: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let id = s.id.as_uuid();
    feed::append(
        txn,
        &[(CATALOG_KEY, Stream::Catalog)],
        id,
        s.version,
        change,
        id,
        now,
    )
    .await
}

async fn record<C: ConnectionTrait>(
    conn: &C,
    id: ServiceId,
    change: &str,
    detail: serde_json::Value,
    write: &WriteContext<'_>,
) -> Result<(), StoreError> {
    let last = service_event::Entity::find()
        .filter(service_event::Column::ServiceId.eq(id.as_uuid()))
        .order_by_desc(service_event::Column::Sequence)
        .one(conn)
        .await?
        .map_or(0, |e| e.sequence);
    service_event::Entity::insert(service_event::ActiveModel {
        service_id: Set(id.as_uuid()),
        sequence: Set(last + 1),
        change: Set(change.to_owned()),
        detail: Set(detail.to_string()),
        subject: Set(write.actor.subject.to_string()),
        org: Set(write.actor.org.to_string()),
        recorded_at: Set(write.now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

async fn write_areas<C: ConnectionTrait>(conn: &C, s: &Service) -> Result<(), StoreError> {
    service_area::Entity::delete_many()
        .filter(service_area::Column::ServiceId.eq(s.id.as_uuid()))
        .exec(conn)
        .await?;
    let rows = s.details.serves.iter().map(|g| service_area::ActiveModel {
        gemeente: Set(g.digits().to_owned()),
        kind: Set(s.details.kind.as_str().to_owned()),
        service_id: Set(s.id.as_uuid()),
    });
    service_area::Entity::insert_many(rows.collect::<Vec<_>>())
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

async fn owned_by<C: ConnectionTrait>(
    conn: &C,
    id: ServiceId,
    owner: OrgId,
) -> Result<Service, StoreError> {
    let row = service::Entity::find_by_id(id.as_uuid())
        .filter(service::Column::Owner.eq(owner.to_string()))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    service_from_row(row)
}

/// Refuses a referral to `service` unless it is active, of the referral's kind, and owned
/// by the recipient (inside the referral's own transaction).
pub(crate) async fn check_takes_referral<C: ConnectionTrait>(
    conn: &C,
    id: ServiceId,
    recipient: OrgId,
    kind: ReferralKind,
) -> Result<(), StoreError> {
    let refuse = |reason| {
        StoreError::Domain(
            herstelbrug_domain::CatalogError::ServiceNotTakingReferral { reason }.into(),
        )
    };
    let Some(row) = service::Entity::find_by_id(id.as_uuid()).one(conn).await? else {
        return Err(refuse("no such service in the catalog"));
    };
    let service = service_from_row(row)?;
    if service.owner != recipient {
        return Err(refuse(
            "the service belongs to another organisation than the recipient",
        ));
    }
    if service.details.kind != kind {
        return Err(refuse("the service offers another kind of support"));
    }
    if !service.details.status.takes_referrals() {
        return Err(refuse("the service is not active"));
    }
    Ok(())
}

impl CatalogStore {
    pub fn new(conn: DatabaseConnection, policy: WaitingPolicy, signal: Arc<FeedSignal>) -> Self {
        Self {
            conn,
            policy,
            signal,
        }
    }

    /// A page of the catalog feed after `after`, waiting up to `wait` when it is empty.
    pub async fn feed(
        &self,
        after: FeedCursor,
        limit: u64,
        wait: std::time::Duration,
        now: DateTime<Utc>,
    ) -> Result<Page<CatalogFeedItem>, StoreError> {
        feed::wait_for_key(&self.signal, CATALOG_KEY, wait, || async {
            let (entries, next) =
                feed::read_keyed(&self.conn, CATALOG_KEY, Stream::Catalog, after, limit).await?;
            let ids: Vec<Uuid> = entries.iter().map(|e| e.subject_id).collect();
            let services = service::Entity::find()
                .filter(service::Column::Id.is_in(ids))
                .all(&self.conn)
                .await?
                .into_iter()
                .map(service_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            let by_id: HashMap<Uuid, CatalogEntry> = self
                .with_waiting(services, now)
                .await?
                .into_iter()
                .map(|e| (e.service.id.as_uuid(), e))
                .collect();
            let items = entries
                .into_iter()
                .map(|e| {
                    let entry = by_id.get(&e.subject_id).cloned().ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "feed entry for missing service {}",
                            e.subject_id
                        ))
                    })?;
                    Ok(CatalogFeedItem {
                        position: FeedCursor {
                            tx_id: e.tx_id,
                            id: e.id,
                        },
                        change: e.change,
                        recorded_at: e.recorded_at,
                        entry,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Page { items, next })
        })
        .await
    }

    fn wake(&self) {
        self.signal.notify(CATALOG_KEY);
    }

    /// Creates a service owned by `owner`.
    pub async fn create(
        &self,
        owner: OrgId,
        details: ServiceDetails,
        identifiers: &[Identifier],
        write: WriteContext<'_>,
        respond: Respond<'_, Service>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            check_registered(txn, owner, |organisation| {
                CatalogError::UnregisteredOwner { organisation }.into()
            })
            .await?;
            let service = Service {
                id: ServiceId::new_at(now),
                owner,
                details,
                capacity: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            service::Entity::insert(service_to_row(&service)?)
                .exec_without_returning(txn)
                .await?;
            write_areas(txn, &service).await?;
            identifier::store::attach(txn, service_object(&service), identifiers, now).await?;
            record(
                txn,
                service.id,
                "created",
                serde_json::json!({"name": service.details.name.as_str()}),
                &write,
            )
            .await?;
            announce(txn, &service, "service_created", now).await?;
            Ok(service)
        })
        .await?;
        self.wake();
        Ok(keyed.outcome)
    }

    /// Replaces the details of the owner's service if its current version satisfies
    /// `if_match` (retiring is a change of status to `defunct`).
    pub async fn update(
        &self,
        change: ServiceUpdate,
        write: WriteContext<'_>,
        respond: Respond<'_, Service>,
    ) -> Result<Replayable, StoreError> {
        let now = write.now;
        let ServiceUpdate {
            id,
            owner,
            if_match,
            details,
            identifiers,
        } = change;
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            let mut service = owned_by(txn, id, owner).await?;
            let before = service.version;
            if !if_match.admits(before) {
                return Err(StoreError::VersionMismatch { current: before });
            }
            let status_before = service.details.status;
            service.details = details;
            service.version += 1;
            service.updated_at = now;
            let mut row = service::ActiveModel {
                version: Set(stored_version(service.version)),
                updated_at: Set(now),
                ..Default::default()
            };
            details_columns(&service.details, &mut row)?;
            let updated = service::Entity::update_many()
                .set(row)
                .filter(service::Column::Id.eq(id.as_uuid()))
                .filter(service::Column::Version.eq(stored_version(before)))
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::VersionMismatch { current: before + 1 });
            }
            write_areas(txn, &service).await?;
            if let Some(identifiers) = &identifiers {
                identifier::store::replace_in(txn, service_object(&service), identifiers, now)
                    .await?;
            }
            let change = if service.details.status == ServiceStatus::Defunct && status_before != ServiceStatus::Defunct {
                "retired"
            } else {
                "updated"
            };
            record(txn, id, change, serde_json::json!({"status": service.details.status.as_str(), "version": service.version}), &write).await?;
            announce(txn, &service, &format!("service_{change}"), now).await?;
            Ok(service)
        })
        .await?;
        self.wake();
        Ok(keyed.outcome)
    }

    /// Posts capacity (and optionally the stated wait): one UPDATE and one history row,
    /// without a version check, so a provider's system can post every few minutes without
    /// racing the record's editors; the last post wins.
    pub async fn set_capacity(
        &self,
        id: ServiceId,
        owner: OrgId,
        capacity: Capacity,
        stated_wait_days: Option<u32>,
        write: Write<'_, Service>,
    ) -> Result<Replayable, StoreError> {
        let Write {
            context: write,
            respond,
        } = write;
        let now = write.now;
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            let mut row = service::ActiveModel {
                updated_at: Set(now),
                ..Default::default()
            };
            capacity_columns(Some(&capacity), &mut row);
            if let Some(days) = stated_wait_days {
                row.stated_wait_days = Set(i32::try_from(days).ok());
            }
            let updated = service::Entity::update_many()
                .set(row)
                .filter(service::Column::Id.eq(id.as_uuid()))
                .filter(service::Column::Owner.eq(owner.to_string()))
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::NotFound);
            }
            record(
                txn,
                id,
                "capacity",
                serde_json::json!({"availability": capacity.availability().as_str(), "stated_wait_days": stated_wait_days}),
                &write,
            )
            .await?;
            let service = owned_by(txn, id, owner).await?;
            announce(txn, &service, "service_capacity", now).await?;
            Ok(service)
        })
        .await?;
        self.wake();
        Ok(keyed.outcome)
    }

    /// Adds every service of an import for `owner` in one transaction: all of them, or
    /// (when any fails) none.
    pub async fn import(
        &self,
        owner: OrgId,
        services: Vec<ServiceDetails>,
        actor: &herstelbrug_domain::Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<ServiceId>, StoreError> {
        let txn = crate::db::connect::begin_write(&self.conn).await?;
        let audit = crate::access_log::AccessRecord {
            event: "CLI catalog import".to_owned(),
            action: 'C',
            outcome: "success".to_owned(),
            status: 0,
            client_ref: None,
            trajectory_id: None,
            referral_id: None,
            subject: Some(actor.subject.to_string()),
            role: None,
            org: Some(owner.to_string()),
            address: None,
            request_id: None,
            purpose: "catalog-import".to_owned(),
            disclosed: Vec::new(),
        };
        let write = WriteContext {
            actor,
            now,
            audit: &audit,
            key: None,
        };
        check_registered(&txn, owner, |organisation| {
            CatalogError::UnregisteredOwner { organisation }.into()
        })
        .await?;
        let mut ids = Vec::new();
        for details in services {
            let service = Service {
                id: ServiceId::new_at(now),
                owner,
                details,
                capacity: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            service::Entity::insert(service_to_row(&service)?)
                .exec_without_returning(&txn)
                .await?;
            write_areas(&txn, &service).await?;
            record(
                &txn,
                service.id,
                "imported",
                serde_json::json!({"name": service.details.name.as_str()}),
                &write,
            )
            .await?;
            announce(&txn, &service, "service_created", now).await?;
            ids.push(service.id);
        }
        txn.commit().await?;
        self.wake();
        Ok(ids)
    }

    /// Every service (of `owner`, when given), oldest first, for an export.
    pub async fn export(&self, owner: Option<OrgId>) -> Result<Vec<Service>, StoreError> {
        let mut select = service::Entity::find();
        if let Some(owner) = owner {
            select = select.filter(service::Column::Owner.eq(owner.to_string()));
        }
        select
            .order_by_asc(service::Column::Id)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(service_from_row)
            .collect()
    }

    /// One service with its measured waiting times.
    /// The service, if `owner` owns it (404 otherwise, as for any object not the caller's).
    pub async fn owned(&self, id: ServiceId, owner: OrgId) -> Result<Service, StoreError> {
        owned_by(&self.conn, id, owner).await
    }

    pub async fn get(&self, id: ServiceId, now: DateTime<Utc>) -> Result<CatalogEntry, StoreError> {
        let row = service::Entity::find_by_id(id.as_uuid())
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let service = service_from_row(row)?;
        let mut entries = self.with_waiting(vec![service], now).await?;
        entries.pop().ok_or(StoreError::NotFound)
    }

    /// A page of the catalog, oldest first (keyset on id); says whether more follow.
    pub async fn search(
        &self,
        query: &CatalogQuery,
        now: DateTime<Utc>,
    ) -> Result<(Vec<CatalogEntry>, bool), StoreError> {
        let mut select = service::Entity::find();
        if let Some(kind) = query.kind {
            select = select.filter(service::Column::Kind.eq(kind.as_str()));
        }
        if let Some(gemeente) = query.serves {
            let mut areas = service_area::Entity::find()
                .select_only()
                .column(service_area::Column::ServiceId)
                .filter(service_area::Column::Gemeente.eq(gemeente.digits()));
            if let Some(kind) = query.kind {
                areas = areas.filter(service_area::Column::Kind.eq(kind.as_str()));
            }
            select = select.filter(service::Column::Id.in_subquery(areas.into_query()));
        }
        if let Some(status) = query.status {
            select = select.filter(service::Column::Status.eq(status.as_str()));
        }
        if let Some(statuses) = &query.statuses {
            select =
                select.filter(service::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
        }
        if let Some(ids) = &query.ids {
            select = select.filter(service::Column::Id.is_in(ids.iter().map(|id| id.as_uuid())));
        }
        if let Some(from) = query.updated.from {
            select = select.filter(service::Column::UpdatedAt.gte(from));
        }
        if let Some(before) = query.updated.before {
            select = select.filter(service::Column::UpdatedAt.lt(before));
        }
        if let Some((owner, identifier)) = &query.identifier {
            select = select.filter(service::Column::Id.in_subquery(identifier::store::holders(
                *owner,
                IdentifiedKind::Service,
                identifier,
            )));
        }
        if let Some(age) = query.age {
            let age = i32::from(age);
            select = select.filter(
                Condition::all()
                    .add(
                        Condition::any()
                            .add(service::Column::MinimumAge.is_null())
                            .add(service::Column::MinimumAge.lte(age)),
                    )
                    .add(
                        Condition::any()
                            .add(service::Column::MaximumAge.is_null())
                            .add(service::Column::MaximumAge.gte(age)),
                    ),
            );
        }
        if query.with_capacity {
            select = select.filter(service::Column::Availability.is_in(["yes", "waitlist"]));
        }
        if let Some(owner) = query.owner {
            select = select.filter(service::Column::Owner.eq(owner.to_string()));
        }
        if let Some(after) = query.modified_after {
            select = select.filter(service::Column::UpdatedAt.gt(after));
        }
        let page = usize::try_from(query.limit).unwrap_or(usize::MAX);
        if query.sort != CatalogSort::Id {
            return self.sorted(select, query, page, now).await;
        }
        if let Some(after) = query.after {
            select = select.filter(service::Column::Id.gt(after.id));
        }
        let rows = select
            .order_by_asc(service::Column::Id)
            .limit(query.limit.saturating_add(1))
            .all(&self.conn)
            .await?;
        let more = rows.len() > page;
        let services = rows
            .into_iter()
            .take(page)
            .map(service_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((self.with_waiting(services, now).await?, more))
    }

    /// A page in waiting-time order across the whole result: measured waits change as
    /// referrals move and as the window slides, so no stored column could order them;
    /// every match is measured (one query per 5,000) and the page is cut after the cursor.
    async fn sorted(
        &self,
        select: sea_orm::Select<service::Entity>,
        query: &CatalogQuery,
        page: usize,
        now: DateTime<Utc>,
    ) -> Result<(Vec<CatalogEntry>, bool), StoreError> {
        let services = select
            .all(&self.conn)
            .await?
            .into_iter()
            .map(service_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let mut entries = Vec::with_capacity(services.len());
        let mut rest = services.into_iter();
        loop {
            let chunk: Vec<Service> = rest.by_ref().take(WAITING_CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            entries.extend(self.with_waiting(chunk, now).await?);
        }
        let sort = query.sort;
        let mut keyed: Vec<(Option<f64>, CatalogEntry)> =
            entries.into_iter().map(|e| (sort.key(&e), e)).collect();
        keyed.sort_by(|(ka, a), (kb, b)| {
            CatalogSort::order(*ka, a.service.id.as_uuid(), *kb, b.service.id.as_uuid())
        });
        let start = query.after.map_or(0, |after| {
            keyed.partition_point(|(key, e)| {
                CatalogSort::order(*key, e.service.id.as_uuid(), after.key, after.id)
                    != Ordering::Greater
            })
        });
        let more = keyed.len().saturating_sub(start) > page;
        Ok((
            keyed
                .into_iter()
                .skip(start)
                .take(page)
                .map(|(_, e)| e)
                .collect(),
            more,
        ))
    }

    /// The service's history, oldest first.
    pub async fn history(&self, id: ServiceId) -> Result<Vec<ServiceChange>, StoreError> {
        service_event::Entity::find()
            .filter(service_event::Column::ServiceId.eq(id.as_uuid()))
            .order_by_asc(service_event::Column::Sequence)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|e| {
                Ok(ServiceChange {
                    sequence: u32::try_from(e.sequence).unwrap_or_default(),
                    change: e.change,
                    detail: serde_json::from_str(&e.detail)
                        .map_err(|err| StoreError::Corrupt(format!("service event: {err}")))?,
                    subject: e.subject,
                    org: e.org,
                    recorded_at: e.recorded_at,
                })
            })
            .collect()
    }

    /// Adds the measured waiting times: one query over the referrals sent to these
    /// services whose acceptance or start may fall in the window.
    async fn with_waiting(
        &self,
        services: Vec<Service>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CatalogEntry>, StoreError> {
        let ids: Vec<Uuid> = services.iter().map(|s| s.id.as_uuid()).collect();
        let mut handoffs: HashMap<Uuid, Vec<Handoff>> = HashMap::new();
        if !ids.is_empty() {
            let measured = measured_referrals(
                &self.conn,
                Condition::all().add(referral::Column::ServiceId.is_in(ids)),
                &self.policy,
                now,
            )
            .await?;
            for m in measured {
                if let Some(service) = m.service {
                    handoffs.entry(service).or_default().push(m.handoff);
                }
            }
        }
        Ok(services
            .into_iter()
            .map(|service| {
                let measured = handoffs
                    .get(&service.id.as_uuid())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                CatalogEntry {
                    waiting: waiting_times(measured, now, &self.policy),
                    service,
                }
            })
            .collect())
    }
}

/// A service's identifiers are its owner's.
fn service_object(service: &Service) -> IdentifiedObject {
    IdentifiedObject {
        owner: service.owner,
        kind: IdentifiedKind::Service,
        resource: service.id.as_uuid(),
    }
}
