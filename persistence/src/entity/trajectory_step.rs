//! Row of `trajectory_steps`: a step in a trajectory's history that has no row history of
//! its own (a handoff meeting planned, postponed, held or not held).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trajectory_steps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub trajectory_id: Uuid,
    pub kind: String,
    /// JSON object.
    pub detail: String,
    pub actor_subject: String,
    pub actor_org: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
