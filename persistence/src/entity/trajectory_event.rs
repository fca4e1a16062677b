//! Row of `trajectory_events`: one immutable event of a trajectory's history.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trajectory_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub trajectory_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sequence: i32,
    pub kind: String,
    pub from_phase: Option<String>,
    pub to_phase: String,
    pub effective_on: Date,
    pub actor_subject: String,
    pub actor_org: String,
    pub recorded_at: DateTimeUtc,
    /// The domain `Change` as JSON: the kind-specific data of the event.
    pub data: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
