//! Row of `services`: one catalog service; the searchable fields are columns, the rest of
//! the owner's record is JSON in `details`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "services")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner: String,
    pub kind: String,
    pub status: String,
    pub name: String,
    pub details: String,
    pub minimum_age: Option<i32>,
    pub maximum_age: Option<i32>,
    pub stated_wait_days: Option<i32>,
    pub capacity_unit: Option<String>,
    pub capacity_available: Option<i32>,
    pub capacity_maximum: Option<i32>,
    pub availability: Option<String>,
    pub capacity_updated_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
