//! What decided referrals tell about waiting: the few columns the waiting-time figures of
//! services and recipients read, for the catalog and the organisation pages alike.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use herstelbrug_domain::ReferralStatus;
use herstelbrug_domain::catalog::{Handoff, WaitingPolicy};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::entity::referral;
use crate::error::StoreError;

/// The oldest request that can still count: an interval ending in the window began at
/// most window + a year before now; older requests are not read.
pub(crate) fn measured_since(policy: &WaitingPolicy, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(i64::from(policy.window_days) + 366)
}

/// What one decided referral tells about waiting, with the service and kind it counts for.
pub(crate) struct MeasuredReferral {
    pub service: Option<Uuid>,
    pub kind: String,
    pub handoff: Handoff,
}

/// The decided referrals matching `filter` whose interval may end in the window: only the
/// six columns the figures need, so a region's worth of history reads cheaply.
pub(crate) async fn measured_referrals<C: ConnectionTrait>(
    conn: &C,
    filter: Condition,
    policy: &WaitingPolicy,
    now: DateTime<Utc>,
) -> Result<Vec<MeasuredReferral>, StoreError> {
    type Row = (
        Option<Uuid>,
        String,
        String,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = referral::Entity::find()
        .select_only()
        .column(referral::Column::ServiceId)
        .column(referral::Column::Kind)
        .column(referral::Column::Status)
        .column(referral::Column::RequestedAt)
        .column(referral::Column::DecidedAt)
        .column(referral::Column::StartedOn)
        .filter(filter)
        .filter(referral::Column::RequestedAt.gte(measured_since(policy, now)))
        .filter(referral::Column::DecidedAt.is_not_null())
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(service, kind, status, requested_at, decided_at, started_on)| MeasuredReferral {
                service,
                kind,
                handoff: Handoff {
                    requested_at,
                    // A rejection was never accepted.
                    accepted_at: if status == ReferralStatus::Rejected.as_str() {
                        None
                    } else {
                        decided_at
                    },
                    started_on,
                },
            },
        )
        .collect())
}
