//! Row of `figure_rollups`: one figure of one month, for one reader's scope and group.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "figure_rollups")]
pub struct Model {
    /// `all`, `agb:…` (a provider's own) or `gemeente:…` (its residents).
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    /// `municipality`, `provider`, `kind` or `service`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub grouping: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: i32,
    /// The group's value; empty for facts without one (trajectory-wide facts by kind).
    #[sea_orm(primary_key, auto_increment = false)]
    pub grp: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub metric: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub detail: String,
    pub count: i64,
    /// For durations: `days:count` pairs, `;`-separated, ascending.
    pub histogram: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
