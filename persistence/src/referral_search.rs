//! Searching the referrals an organisation takes part in by id, identifier, recipient,
//! requester, status and time of last change (the FHIR Task search), in pages by id.

use chrono::{DateTime, Utc};
use herstelbrug_domain::fhir::UpdatedWindow;
use herstelbrug_domain::{IdentifiedKind, Identifier, OrgId, ReferralId, ReferralStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::entity::referral::{self, Column};
use crate::error::StoreError;
use crate::identifier_store;
use crate::paging;
use crate::referral_row::referral_from_row;
use crate::referral_store::{ReferralRecord, ReferralStore, involving, with_consent};

/// What a referral search asks for; every field that is set must match.
#[derive(Debug, Clone, Default)]
pub struct ReferralSearch {
    pub ids: Option<Vec<ReferralId>>,
    /// An identifier the searching organisation gave the referral.
    pub identifier: Option<Identifier>,
    pub recipient: Option<OrgId>,
    pub requester: Option<OrgId>,
    pub statuses: Option<Vec<ReferralStatus>>,
    pub updated: UpdatedWindow,
    pub after: Option<ReferralId>,
    pub limit: u64,
}

/// A page of a search; `next` is where the following page starts.
#[derive(Debug, Clone)]
pub struct ReferralPage {
    pub items: Vec<ReferralRecord>,
    pub next: Option<ReferralId>,
}

impl ReferralStore {
    /// The referrals `party` takes part in that match `search`, oldest first.
    pub async fn search(
        &self,
        party: OrgId,
        search: &ReferralSearch,
        now: DateTime<Utc>,
    ) -> Result<ReferralPage, StoreError> {
        let mut select = referral::Entity::find().filter(involving(party));
        if let Some(ids) = &search.ids {
            select = select.filter(Column::Id.is_in(ids.iter().map(|id| id.as_uuid())));
        }
        if let Some(identifier) = &search.identifier {
            select = select.filter(Column::Id.in_subquery(identifier_store::holders(
                party,
                IdentifiedKind::Referral,
                identifier,
            )));
        }
        if let Some(recipient) = search.recipient {
            select = select.filter(Column::Recipient.eq(recipient.to_string()));
        }
        if let Some(requester) = search.requester {
            select = select.filter(Column::Requester.eq(requester.to_string()));
        }
        if let Some(statuses) = &search.statuses {
            select = select.filter(Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
        }
        if let Some(from) = search.updated.from {
            select = select.filter(Column::UpdatedAt.gte(from));
        }
        if let Some(before) = search.updated.before {
            select = select.filter(Column::UpdatedAt.lt(before));
        }
        if let Some(after) = search.after {
            select = select.filter(Column::Id.gt(after.as_uuid()));
        }
        let (referrals, more) = paging::page(
            select,
            Column::Id,
            search.limit,
            &self.conn,
            referral_from_row,
        )
        .await?;
        let next = more.then(|| referrals.last().map(|r| r.id)).flatten();
        Ok(ReferralPage {
            items: with_consent(&self.conn, referrals, now).await?,
            next,
        })
    }
}
