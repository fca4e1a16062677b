//! Row of `feed_entries`: one change, as one organisation's feed (inbox, outbox or alerts) sees it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feed_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// On PostgreSQL the id of the inserting transaction (set by a column default); 0 on
    /// SQLite, where a single writer commits in id order.
    pub tx_id: i64,
    pub org: String,
    /// `inbox`, `outbox` or `alerts`.
    pub stream: String,
    /// The referral or alert that changed.
    pub subject_id: Uuid,
    pub subject_version: i32,
    pub change: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
