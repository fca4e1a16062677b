//! Row of `access_log_disclosure`: an access-log entry disclosed this trajectory (filled by
//! a database trigger from the entry's `disclosed` list).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log_disclosure")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub trajectory_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub entry_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
