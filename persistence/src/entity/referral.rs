//! Row of `referrals`: the current state of one follow-up referral.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub trajectory_id: Uuid,
    pub requester: String,
    pub recipient: String,
    pub kind: String,
    pub status: String,
    pub needs: String,
    pub life_domains: String,
    pub requested_start_on: Option<Date>,
    pub client_name: Option<String>,
    pub client_phone: Option<String>,
    pub client_email: Option<String>,
    pub client_address: Option<String>,
    pub referrer_name: Option<String>,
    pub referrer_phone: Option<String>,
    pub referrer_email: Option<String>,
    pub requested_at: DateTimeUtc,
    pub received_at: Option<DateTimeUtc>,
    pub application_on: Option<Date>,
    pub decided_at: Option<DateTimeUtc>,
    pub planned_start_on: Option<Date>,
    pub started_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub status_reason: Option<String>,
    pub assessment_due_on: Option<Date>,
    pub decision_due_on: Option<Date>,
    pub version: i32,
    pub updated_at: DateTimeUtc,
    /// The catalog service the referral was sent to, if it named one.
    pub service_id: Option<Uuid>,
    /// The offer it is one candidate of.
    pub offer_id: Option<Uuid>,
    /// Why it was rejected, as a code.
    pub rejection_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
