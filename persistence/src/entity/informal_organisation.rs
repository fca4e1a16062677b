//! Row of `informal_organisations`: the registry that numbers self-help groups and other
//! organisations without an AGB code (`informeel:NNNNNN`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "informal_organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: i32,
    pub name: String,
    pub registered_by: String,
    pub registered_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
