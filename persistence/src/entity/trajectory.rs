//! Row of `trajectories`: the current state of one trajectory.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trajectories")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_ref: String,
    pub treating_provider: String,
    pub municipality: String,
    pub phase: String,
    pub started_on: Date,
    pub phase_since: Date,
    pub planned_end_on: Option<Date>,
    pub treatment_ended_on: Option<Date>,
    pub end_reason: Option<String>,
    pub closure_outcome: Option<String>,
    pub no_follow_up_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Keyed hash of the client's BSN, for matching; never the number.
    pub bsn_matcher: Option<String>,
    /// The BSN encrypted (AES-256-GCM), if kept.
    pub bsn_sealed: Option<String>,
    /// The closed trajectory this re-entry follows.
    pub previous_trajectory_id: Option<Uuid>,
    /// Started within 90 days of that closure.
    pub readmission: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
