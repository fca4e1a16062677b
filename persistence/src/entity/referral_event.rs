//! Row of `referral_events`: one immutable event of a referral, part of its trajectory's history.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referral_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub referral_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sequence: i32,
    pub trajectory_id: Uuid,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_subject: String,
    pub actor_org: String,
    pub recorded_at: DateTimeUtc,
    pub data: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
