//! Row of `access_log`: one access to client data (or an attempt); its seal chains it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub recorded_at: DateTimeUtc,
    pub event: String,
    pub action: String,
    pub outcome: String,
    pub status: i32,
    pub client_ref: Option<String>,
    pub trajectory_id: Option<Uuid>,
    pub referral_id: Option<Uuid>,
    pub subject: Option<String>,
    pub role: Option<String>,
    pub org: Option<String>,
    pub address: Option<String>,
    pub request_id: Option<String>,
    pub purpose: String,
    /// The writing transaction (PostgreSQL; 0 on SQLite): the sealer's order is (tx_id, id).
    pub tx_id: i64,
    /// JSON array of the trajectory ids the response disclosed (lists and feeds).
    pub disclosed: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
