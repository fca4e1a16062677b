//! Row of `handoff_meetings`: one warm-handoff meeting planned for one referral.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "handoff_meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub referral_id: Uuid,
    pub trajectory_id: Uuid,
    pub planned_at: DateTimeUtc,
    /// JSON list of participant ids.
    pub participants: String,
    pub status: String,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_by_org: String,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
