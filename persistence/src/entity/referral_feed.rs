//! Row of `referral_feed`: one change of a referral, as one organisation's feed sees it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referral_feed")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// On PostgreSQL the id of the inserting transaction (set by a column default); 0 on
    /// SQLite, where a single writer commits in id order.
    pub tx_id: i64,
    pub org: String,
    /// `recipient` (the inbox) or `requester` (the provider's outbox feed).
    pub role: String,
    pub referral_id: Uuid,
    pub referral_version: i32,
    pub change: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
