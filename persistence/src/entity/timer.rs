//! Row of `timers`: when a trajectory's rules must be looked at again. One per trajectory.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "timers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub trajectory_id: Uuid,
    pub due_at: DateTimeUtc,
    /// A scheduler claimed it until then; after that another may.
    pub lease_until: Option<DateTimeUtc>,
    /// Which claim holds the lease: a late worker whose lease was taken over cannot write.
    pub lease_token: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
