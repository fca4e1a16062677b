//! Row of `person_invitations`: a one-time code linking a person to a trajectory (hashed).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub trajectory_id: Uuid,
    /// `client` or `naaste`.
    pub purpose: String,
    pub participant_id: Option<Uuid>,
    pub level: Option<String>,
    /// SHA-256 of the code (hex): the code itself is never stored.
    pub code_hash: String,
    pub created_by: String,
    pub created_by_org: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub redeemed_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
