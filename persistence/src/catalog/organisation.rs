//! Organisations as the catalog and referrals see them: the registry that numbers
//! informal organisations (self-help groups, peer experts: no AGB code), and what
//! Herstelbrug measured of a recipient over all the referrals it received, overall and per
//! kind of support, read in one query.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use herstelbrug_domain::catalog::{Handoff, WaitingPolicy, WaitingTimes, waiting_times};
use herstelbrug_domain::{BoundedText, DomainError, InformalId, OrgId, ReferralKind};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder,
};

use crate::catalog::measured::measured_referrals;
use crate::entity::{informal_organisation, referral};
use crate::error::StoreError;

/// An informal organisation in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InformalOrganisation {
    pub id: InformalId,
    pub name: String,
    pub registered_by: String,
    pub registered_at: DateTime<Utc>,
}

/// A recipient's measured waiting times: over everything it received, and per kind.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientFigures {
    pub overall: WaitingTimes,
    /// Every kind it received a measured referral of, in the kinds' order.
    pub by_kind: Vec<(ReferralKind, WaitingTimes)>,
}

#[derive(Clone, Debug)]
pub struct OrganisationStore {
    conn: DatabaseConnection,
    policy: WaitingPolicy,
}

fn from_row(row: informal_organisation::Model) -> Result<InformalOrganisation, StoreError> {
    let id = u32::try_from(row.number)
        .ok()
        .and_then(InformalId::from_number)
        .ok_or_else(|| StoreError::Corrupt(format!("informal number {}", row.number)))?;
    Ok(InformalOrganisation {
        id,
        name: row.name,
        registered_by: row.registered_by,
        registered_at: row.registered_at,
    })
}

fn number(id: InformalId) -> i32 {
    // Six digits always fit.
    id.digits().parse().unwrap_or_default()
}

/// Refuses an informal organisation the registry does not know (inside the caller's own
/// transaction); care providers and municipalities are known by their codes.
pub(crate) async fn check_registered<C: ConnectionTrait>(
    conn: &C,
    org: OrgId,
    refuse: impl FnOnce(OrgId) -> DomainError,
) -> Result<(), StoreError> {
    let OrgId::Informal(id) = org else {
        return Ok(());
    };
    match informal_organisation::Entity::find_by_id(number(id))
        .one(conn)
        .await?
    {
        Some(_) => Ok(()),
        None => Err(StoreError::Domain(refuse(org))),
    }
}

impl OrganisationStore {
    pub fn new(conn: DatabaseConnection, policy: WaitingPolicy) -> Self {
        Self { conn, policy }
    }

    /// Registers an informal organisation under the next free number.
    pub async fn register(
        &self,
        name: &BoundedText,
        registered_by: &str,
        now: DateTime<Utc>,
    ) -> Result<InformalOrganisation, StoreError> {
        let txn = crate::db::connect::begin_write(&self.conn).await?;
        let last = informal_organisation::Entity::find()
            .order_by_desc(informal_organisation::Column::Number)
            .one(&txn)
            .await?
            .map_or(0, |r| r.number);
        let id = u32::try_from(last + 1)
            .ok()
            .and_then(InformalId::from_number)
            .ok_or_else(|| StoreError::Corrupt("the informal registry is full".to_owned()))?;
        let row = informal_organisation::Model {
            number: number(id),
            name: name.as_str().to_owned(),
            registered_by: registered_by.to_owned(),
            registered_at: now,
        };
        informal_organisation::Entity::insert(informal_organisation::ActiveModel {
            number: Set(row.number),
            name: Set(row.name.clone()),
            registered_by: Set(row.registered_by.clone()),
            registered_at: Set(row.registered_at),
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        from_row(row)
    }

    /// The registry's entry for `id`.
    pub async fn informal(&self, id: InformalId) -> Result<InformalOrganisation, StoreError> {
        informal_organisation::Entity::find_by_id(number(id))
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)
            .and_then(from_row)
    }

    /// The whole registry, by number.
    pub async fn all_informal(&self) -> Result<Vec<InformalOrganisation>, StoreError> {
        informal_organisation::Entity::find()
            .order_by_asc(informal_organisation::Column::Number)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(from_row)
            .collect()
    }

    /// What `org` made people wait as a recipient: one query over the referrals it
    /// received whose acceptance or start may fall in the window.
    pub async fn waiting(
        &self,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<RecipientFigures, StoreError> {
        let measured = measured_referrals(
            &self.conn,
            Condition::all().add(referral::Column::Recipient.eq(org.to_string())),
            &self.policy,
            now,
        )
        .await?;
        let mut all: Vec<Handoff> = Vec::with_capacity(measured.len());
        let mut per_kind: BTreeMap<&'static str, (ReferralKind, Vec<Handoff>)> = BTreeMap::new();
        for m in measured {
            let kind: ReferralKind = m
                .kind
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("referral kind: {e}")))?;
            all.push(m.handoff);
            per_kind
                .entry(kind.as_str())
                .or_insert_with(|| (kind, Vec::new()))
                .1
                .push(m.handoff);
        }
        Ok(RecipientFigures {
            overall: waiting_times(&all, now, &self.policy),
            by_kind: per_kind
                .into_values()
                .map(|(kind, handoffs)| (kind, waiting_times(&handoffs, now, &self.policy)))
                .collect(),
        })
    }
}
