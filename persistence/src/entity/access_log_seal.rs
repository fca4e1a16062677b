//! Row of `access_log_seal`: one link of the access log's hash chain, in sealing order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log_seal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub entry_id: i64,
    pub entry_tx: i64,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
