//! Row of `consents`: a client's consent to share with one organisation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub trajectory_id: Uuid,
    pub organisation: String,
    pub purpose: String,
    pub given_on: Date,
    pub expires_on: Option<Date>,
    pub recorded_by: String,
    pub recorded_by_org: String,
    pub recorded_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_by: Option<String>,
    pub withdrawn_by_org: Option<String>,
    pub withdrawal_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
