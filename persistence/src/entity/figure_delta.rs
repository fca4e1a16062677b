//! Row of `figure_deltas`: a count one change added to a figure, not yet folded.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "figure_deltas")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub month: i32,
    pub provider: String,
    pub municipality: String,
    pub kind: String,
    pub service: String,
    pub metric: String,
    pub detail: String,
    pub days: i32,
    pub count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
