//! Everything the person's page and copy show of one trajectory, read in a fixed number of
//! queries: the overview the treating provider has (phase, team, referrals, offers, open
//! alerts, timeline), the handoff meetings, the consents, and the measured waiting times
//! of the services the referrals name. What of it a person may see is decided by the
//! disclosure table where it is shown, not here.

use chrono::{DateTime, Utc};
use herstelbrug_domain::team::Meeting;
use herstelbrug_domain::{AgbCode, Consent, ServiceId, Trajectory};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::catalog::store::{CatalogEntry, CatalogQuery, CatalogStore};
use crate::entity::consent;
use crate::error::StoreError;
use crate::person::store::PersonStore;
use crate::referral::row::consent_from_row;
use crate::team::store::trajectory_meetings;
use crate::trajectory::overview::{Overview, OverviewStore};

/// One trajectory as a person's page reads it.
#[derive(Debug, Clone)]
pub struct PersonFile {
    pub overview: Overview,
    pub meetings: Vec<Meeting>,
    pub consents: Vec<Consent>,
    /// The services the referrals were sent to, with their measured waiting times.
    pub services: Vec<CatalogEntry>,
}

impl PersonStore {
    /// The file of a trajectory the person was found to stand in.
    pub async fn file(
        &self,
        trajectory: &Trajectory,
        catalog: &CatalogStore,
        now: DateTime<Utc>,
    ) -> Result<PersonFile, StoreError> {
        let provider: AgbCode = trajectory.treating_provider;
        let overview = OverviewStore::new(self.conn().clone())
            .trajectory(trajectory.id, provider, now)
            .await?;
        let meetings = trajectory_meetings(self.conn(), trajectory.id).await?;
        let consents = consent::Entity::find()
            .filter(consent::Column::TrajectoryId.eq(trajectory.id.as_uuid()))
            .order_by_asc(consent::Column::Id)
            .all(self.conn())
            .await?
            .into_iter()
            .map(consent_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let mut ids: Vec<ServiceId> = overview
            .referrals
            .iter()
            .filter_map(|r| r.referral.service)
            .collect();
        ids.sort_by_key(|id| id.as_uuid());
        ids.dedup();
        let services = if ids.is_empty() {
            Vec::new()
        } else {
            let query = CatalogQuery {
                limit: u64::try_from(ids.len()).unwrap_or(u64::MAX),
                ids: Some(ids),
                ..CatalogQuery::default()
            };
            catalog.search(&query, now).await?.0
        };
        Ok(PersonFile {
            overview,
            meetings,
            consents,
            services,
        })
    }
}
