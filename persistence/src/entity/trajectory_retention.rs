//! Row of `trajectory_retention`: a trajectory's legal hold and when its personal details
//! were removed (by the retention job or on request).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trajectory_retention")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub trajectory_id: Uuid,
    pub hold_reason: Option<String>,
    pub held_at: Option<DateTimeUtc>,
    pub held_by: Option<String>,
    pub erased_at: Option<DateTimeUtc>,
    pub erased_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
