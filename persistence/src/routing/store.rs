//! Where a client could go next: for a referral that was rejected or an offer that
//! expired, and for the gap alerts, the active services of the same kind that serve the
//! client's municipality and have room, shortest measured wait first, without the ones
//! already tried. Catalog data only: no client data leaves through it.

use chrono::{DateTime, Utc};
use herstelbrug_domain::catalog::ServiceStatus;
use herstelbrug_domain::routing::{Tried, rank_alternatives, suggested_kinds};
use herstelbrug_domain::{
    AgbCode, Alert, GemeenteCode, Referral, ReferralId, ReferralKind, Trajectory,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::catalog::store::{CatalogEntry, CatalogQuery, CatalogSort, CatalogStore};
use crate::entity::{referral, trajectory};
use crate::error::StoreError;
use crate::referral::load::trajectory_referrals;
use crate::referral::row::referral_from_row;
use crate::trajectory::row::trajectory_from_row;

/// How many services one kind's alternatives list at most.
pub const ALTERNATIVES_PER_KIND: usize = 5;
/// The most matches one ranking reads (a region's services of one kind are far fewer).
const SEARCH_LIMIT: u64 = 500;

/// Alternatives for one kind of support.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub kind: ReferralKind,
    pub municipality: GemeenteCode,
    pub services: Vec<CatalogEntry>,
}

#[derive(Clone, Debug)]
pub struct RoutingStore {
    conn: DatabaseConnection,
    catalog: CatalogStore,
}

async fn trajectory_with_referrals<C: ConnectionTrait>(
    conn: &C,
    trajectory_id: uuid::Uuid,
) -> Result<(Trajectory, Vec<Referral>), StoreError> {
    let trajectory = trajectory::Entity::find_by_id(trajectory_id)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(trajectory_from_row)?;
    let referrals = trajectory_referrals(conn, trajectory.id).await?;
    Ok((trajectory, referrals))
}

impl RoutingStore {
    pub fn new(conn: DatabaseConnection, catalog: CatalogStore) -> Self {
        Self { conn, catalog }
    }

    async fn for_kind(
        &self,
        kind: ReferralKind,
        municipality: GemeenteCode,
        referrals: &[Referral],
        now: DateTime<Utc>,
    ) -> Result<Suggestion, StoreError> {
        let query = CatalogQuery {
            kind: Some(kind),
            serves: Some(municipality),
            status: Some(ServiceStatus::Active),
            with_capacity: true,
            sort: CatalogSort::MeasuredWait,
            limit: SEARCH_LIMIT,
            ..CatalogQuery::default()
        };
        let (entries, _) = self.catalog.search(&query, now).await?;
        let tried = Tried::from_referrals(referrals, kind);
        let ranked = rank_alternatives(
            entries
                .into_iter()
                .map(|e| (e.service, e.waiting))
                .collect(),
            kind,
            municipality,
            &tried,
            ALTERNATIVES_PER_KIND,
        );
        Ok(Suggestion {
            kind,
            municipality,
            services: ranked
                .into_iter()
                .map(|(service, waiting)| CatalogEntry { service, waiting })
                .collect(),
        })
    }

    /// The next candidates for the client of referral `id`, which `provider` sent.
    pub async fn alternatives(
        &self,
        id: ReferralId,
        provider: AgbCode,
        now: DateTime<Utc>,
    ) -> Result<(Referral, Suggestion), StoreError> {
        let referral = referral::Entity::find_by_id(id.as_uuid())
            .filter(referral::Column::Requester.eq(provider.to_string()))
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)
            .and_then(referral_from_row)?;
        let (trajectory, referrals) =
            trajectory_with_referrals(&self.conn, referral.trajectory_id.as_uuid()).await?;
        let suggestion = self
            .for_kind(referral.kind, trajectory.municipality, &referrals, now)
            .await?;
        Ok((referral, suggestion))
    }

    /// What the reader of `alert` could refer the client to, per kind that fell through;
    /// empty for rules about one running referral, and once the alert is resolved.
    pub async fn for_alert(
        &self,
        alert: &Alert,
        now: DateTime<Utc>,
    ) -> Result<Vec<Suggestion>, StoreError> {
        if !alert.is_unresolved() {
            return Ok(Vec::new());
        }
        let (trajectory, referrals) =
            trajectory_with_referrals(&self.conn, alert.trajectory_id.as_uuid()).await?;
        let mut suggestions = Vec::new();
        for kind in suggested_kinds(alert.rule, &alert.facts, &referrals) {
            suggestions.push(
                self.for_kind(kind, trajectory.municipality, &referrals, now)
                    .await?,
            );
        }
        Ok(suggestions)
    }
}
