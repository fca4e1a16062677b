//! Row of `alerts`: one alert about a gap in a trajectory's care.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub rule: String,
    pub severity: String,
    pub trajectory_id: Uuid,
    pub referral_id: Option<Uuid>,
    /// The referral id, or the trajectory id for trajectory rules: at most one unresolved
    /// alert per rule and subject.
    pub subject_id: Uuid,
    pub treating_provider: String,
    pub recipient: Option<String>,
    pub municipality: String,
    pub status: String,
    pub facts: Json,
    pub opened_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_by_org: Option<String>,
    pub escalated_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    /// `cleared` (with the cause) or `by_hand` (with the reason and who).
    pub resolution_kind: Option<String>,
    pub resolution_text: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_by_org: Option<String>,
    /// Resolved by hand while its condition held: holds back a new alert until it clears.
    pub suppressing: bool,
    /// The client's municipality receives it too (a gap alert, with consent).
    pub informs_municipality: bool,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
