//! Row of `participants`: one person in one role in one trajectory.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub trajectory_id: Uuid,
    pub role: String,
    pub name: String,
    pub organisation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub relation: Option<String>,
    /// A naaste's involvement consent: when given, and (JSON list) who else may see them.
    pub consent_given_on: Option<Date>,
    pub consent_share_with: Option<String>,
    pub consent_recorded_by: Option<String>,
    pub consent_recorded_by_org: Option<String>,
    pub joined_on: Date,
    pub left_on: Option<Date>,
    pub recorded_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
