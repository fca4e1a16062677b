//! Conversions between offer rows and the domain's offers.

use herstelbrug_domain::routing::Offer;
use herstelbrug_domain::{OfferId, ReferralId, TrajectoryId};
use sea_orm::ActiveValue::Set;

use crate::entity::offer;
use crate::error::StoreError;
use crate::trajectory::row::stored_version;

fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("offer {column}: {e}"))
}

pub(crate) fn offer_from_row(row: offer::Model) -> Result<Offer, StoreError> {
    Ok(Offer {
        id: OfferId::from_uuid(row.id),
        trajectory_id: TrajectoryId::from_uuid(row.trajectory_id),
        requester: row.requester.parse().map_err(|e| corrupt("requester", e))?,
        kind: row.kind.parse().map_err(|e| corrupt("kind", e))?,
        status: row.status.parse().map_err(|e| corrupt("status", e))?,
        selected: row.selected_referral.map(ReferralId::from_uuid),
        expires_at: row.expires_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: u32::try_from(row.version).map_err(|e| corrupt("version", e))?,
    })
}

pub(crate) fn offer_to_row(o: &Offer) -> offer::ActiveModel {
    offer::ActiveModel {
        id: Set(o.id.as_uuid()),
        trajectory_id: Set(o.trajectory_id.as_uuid()),
        requester: Set(o.requester.to_string()),
        kind: Set(o.kind.as_str().to_owned()),
        status: Set(o.status.as_str().to_owned()),
        selected_referral: Set(o.selected.map(|r| r.as_uuid())),
        expires_at: Set(o.expires_at),
        created_at: Set(o.created_at),
        updated_at: Set(o.updated_at),
        version: Set(stored_version(o.version)),
    }
}
