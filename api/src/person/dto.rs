//! Bodies of the person's own routes (`/v1/me/...`): what the client, a representative or a
//! naaste reads of their path, in codes for programs and plain Dutch for people. Only what
//! the disclosure table lets the person's column see is ever put in.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Who is signed in, and the trajectories they stand in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    /// `client` for the person themselves, `vertegenwoordiger` when acting for someone.
    #[schema(example = "client")]
    pub signed_in_as: String,
    /// For a representative: `wettelijk_vertegenwoordiger` or `gemachtigde`.
    pub representation: Option<String>,
    pub trajectories: Vec<MyTrajectorySummary>,
}

/// One trajectory in the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyTrajectorySummary {
    pub id: Uuid,
    /// How the person stands in it: `client`, `vertegenwoordiger` or `naaste`.
    #[schema(example = "client")]
    pub standing: String,
    /// For a naaste: `contact` or `follow`.
    pub level: Option<String>,
    pub phase: Coded,
    pub started_on: NaiveDate,
    /// The treating provider.
    pub treated_by: OrgLabel,
}

/// A code and its words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coded {
    #[schema(example = "transition")]
    pub code: String,
    /// In plain Dutch.
    #[schema(example = "Uw behandeling loopt af; de hulp daarna wordt geregeld")]
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgLabel {
    #[schema(example = "gemeente:0268")]
    pub id: String,
    #[schema(example = "Gemeente (code 0268)")]
    pub label: String,
}

/// One trajectory as the person may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyTrajectoryView {
    pub id: Uuid,
    #[schema(example = "client")]
    pub standing: String,
    pub level: Option<String>,
    pub phase: Coded,
    /// The client's name as the referrals record it.
    pub client_name: Option<String>,
    pub started_on: NaiveDate,
    pub planned_end_on: Option<NaiveDate>,
    pub treatment_ended_on: Option<NaiveDate>,
    /// Why treatment ended (the client only).
    pub end_reason: Option<Coded>,
    pub treated_by: OrgLabel,
    /// The professionals involved, as their organisations chose to show them.
    pub involved: Vec<InvolvedView>,
    /// The naasten taking part (the client only).
    pub naasten: Vec<NaasteView>,
    /// Each referral: to whom, what for, where it stands and what comes next.
    pub referrals: Vec<MyReferralView>,
    /// Warm-handoff meetings (for a naaste: those she is invited to).
    pub meetings: Vec<MyMeetingView>,
    /// Where the help after treatment is not arranged, and who has been told.
    pub follow_up_gaps: Vec<GapView>,
    /// Every step of the path, oldest first (the client and a naaste at `follow`).
    pub steps: Vec<MyStepView>,
}

/// One step of the path: when, what, and where it led.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyStepView {
    pub at: DateTime<Utc>,
    /// What happened, in words.
    pub what: String,
    /// The phase or status it led to, for phase and referral steps.
    pub to: Option<Coded>,
    pub referral_id: Option<Uuid>,
    /// The rule of an alert step about a gap in the path.
    pub rule: Option<Coded>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvolvedView {
    pub name: String,
    /// What they do, in words.
    #[schema(example = "Behandelaar")]
    pub role: String,
    pub organisation: Option<OrgLabel>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NaasteView {
    pub participant_id: Uuid,
    pub name: String,
    pub relation: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyReferralView {
    pub id: Uuid,
    pub to: OrgLabel,
    pub kind: Coded,
    /// What help is asked, in the referrer's words.
    pub needs: Option<String>,
    pub status: Coded,
    /// What happens next, in words.
    pub next_step: String,
    pub requested_on: NaiveDate,
    pub requested_start_on: Option<NaiveDate>,
    pub planned_start_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    /// The service it was sent to, with how long people waited there.
    pub service: Option<MyServiceView>,
}

/// A proposed service and its measured waiting times (Treeknorm: 4 weeks to intake).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyServiceView {
    pub id: Uuid,
    pub name: String,
    /// Median days from request to acceptance over the last two months; absent when too
    /// few people were measured to say.
    pub median_days_to_acceptance: Option<f64>,
    /// Median days from acceptance to start.
    pub median_days_to_start: Option<f64>,
    /// Whether the median wait to acceptance is within the Treeknorm.
    pub within_norm: Option<bool>,
    /// In words.
    pub waiting: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyMeetingView {
    pub id: Uuid,
    pub referral_id: Uuid,
    pub planned_at: DateTime<Utc>,
    pub status: Coded,
    pub with: OrgLabel,
}

/// A follow-up not (yet) arranged, and who has been told.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapView {
    pub since: DateTime<Utc>,
    pub rule: Coded,
    pub message: String,
    pub told: Vec<OrgLabel>,
}

/// A consent as the client reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyConsentView {
    pub id: Uuid,
    pub organisation: OrgLabel,
    pub purpose: String,
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    /// `active`, `expired` or `withdrawn`.
    #[schema(example = "active")]
    pub status: String,
    /// Who recorded it: `client`, `vertegenwoordiger` or `zorgverlener`.
    pub recorded_by: String,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<String>,
    /// Send as `If-Match: "1"` to withdraw.
    pub version: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyConsentList {
    pub items: Vec<MyConsentView>,
}

/// The client gives consent to share with the organisation a referral is addressed to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiveConsentRequest {
    /// The referral whose recipient may see the client's details.
    pub referral_id: Uuid,
    /// What for, in the client's words [default: "Verwijzing"].
    #[schema(max_length = 200)]
    pub purpose: Option<String>,
}

/// Redeems an invitation code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    /// The code as given, in any case, with or without dashes.
    #[schema(example = "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ", max_length = 40)]
    pub code: String,
}

/// What a redeemed code linked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    pub id: Uuid,
    pub trajectory_id: Uuid,
    /// `client` or `naaste`.
    pub standing: String,
    pub level: Option<String>,
    pub linked_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// For a naaste link: the participant it is.
    pub participant_id: Option<Uuid>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NaastenView {
    pub links: Vec<LinkView>,
    pub invitations: Vec<InvitationView>,
}

/// The client invites a naaste taking part in the trajectory.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteNaasteRequest {
    pub participant_id: Uuid,
    /// `contact` (who to call, her meetings) or `follow` (also the referrals).
    #[schema(example = "contact")]
    pub level: String,
}

/// An invitation; `code` only in the answer that made it, never again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: Uuid,
    pub trajectory_id: Uuid,
    /// `client` or `naaste`.
    pub purpose: String,
    pub participant_id: Option<Uuid>,
    pub level: Option<String>,
    /// `open`, `redeemed`, `revoked` or `expired`.
    #[schema(example = "open")]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The one-time code: hand it to the person on paper or read it out; it is not
    /// stored and cannot be shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<InvitationView>,
}

/// Who read the person's data (Wabvpz art. 15e), newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyAccessReport {
    pub items: Vec<MyAccessEntry>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyAccessEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The organisation, or `client`, `vertegenwoordiger` or `naaste` for people.
    pub who: String,
    pub who_label: String,
    /// The role they acted in (`provider`, `municipality`, ...).
    pub role: Option<String>,
    /// What kind of data, in words.
    pub what: String,
    /// Looked (`R`), created (`C`), changed (`U`), removed (`D`).
    pub action: String,
    pub outcome: String,
    /// Why, as they said.
    pub purpose: String,
}
