//! Row of `figure_contributions`: the facts a trajectory contributes to the figures now.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "figure_contributions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub trajectory_id: Uuid,
    /// JSON list of facts.
    pub facts: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
