//! Row of `person_links`: a person (keyed hash of their BSN) linked to a trajectory as its
//! client or as a naaste, through a redeemed invitation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub trajectory_id: Uuid,
    pub person_matcher: String,
    /// `client` or `naaste`.
    pub standing: String,
    pub participant_id: Option<Uuid>,
    pub level: Option<String>,
    pub invitation_id: Uuid,
    pub linked_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
