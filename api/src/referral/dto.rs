//! Bodies of the referral endpoints. The recipient's view is an explicit allowlist: only
//! the fields below, and the personal ones only as far as consent and status allow.

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::referral::table::allowed_actions;
use herstelbrug_domain::{
    BoundedText, Disclosure, LifeDomain, OrgId, Party, Referral, ReferralAction, ReferralCommand,
    ReferralKind, ReferralRequest, ReferralStatus, RejectionReason,
};
use herstelbrug_persistence::ReferralRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::contact::{ClientContactDto, ReferrerContactDto};
use crate::dto::date;
use crate::dto::schema;
use crate::error::ApiError;
use crate::http::json_body;

pub const NEEDS_MAX: usize = 1000;
pub const REASON_MAX: usize = 500;

/// Refers the client to an organisation for one kind of support.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReferralRequest {
    #[schema(schema_with = schema::referral_kind)]
    pub kind: ReferralKind,
    /// The organisation asked to provide it.
    #[schema(schema_with = schema::org_id)]
    pub recipient: String,
    /// What help is asked, as codes: the usual way, so free text is the exception. Give
    /// these, `needs`, or both.
    #[serde(default)]
    #[schema(schema_with = schema::life_domains)]
    pub life_domains: Vec<String>,
    /// What support the client needs, in a few sentences, where the codes do not say it.
    /// No diagnoses or substances: a BSN or a diagnosis code (ICD-10, DSM-5) is refused
    /// (422).
    #[schema(
        max_length = 1000,
        example = "Zoekt zelfstandige woonruimte; heeft begeleiding nodig bij geldzaken."
    )]
    pub needs: Option<String>,
    #[serde(default, deserialize_with = "date::optional")]
    pub requested_start_on: Option<NaiveDate>,
    /// Shown to the recipient only while the client's consent holds.
    #[serde(default, deserialize_with = "json_body::object")]
    pub client: ClientContactDto,
    #[serde(default, deserialize_with = "json_body::object")]
    pub referrer: ReferrerContactDto,
    /// The catalog service asked for (`GET /v1/services`). Its owner must be the
    /// recipient; the referral then counts toward the service's measured waiting times.
    pub service: Option<uuid::Uuid>,
    /// The referring provider's own identifiers of the referral (a FHIR Task id, say);
    /// the recipient sets its own (an iWmo toewijzing number) with
    /// `PUT /v1/referrals/{rid}/identifiers`.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub identifiers: Vec<crate::identifier::dto::IdentifierDto>,
}

impl CreateReferralRequest {
    pub fn parse(&self) -> Result<ReferralRequest, ApiError> {
        Ok(ReferralRequest {
            kind: self.kind,
            recipient: self
                .recipient
                .parse::<OrgId>()
                .map_err(|e| ApiError::Validation(format!("recipient: {e}")))?,
            needs: self
                .needs
                .as_deref()
                .map(|n| BoundedText::parse_shared("needs", n, NEEDS_MAX))
                .transpose()
                .map_err(|e| ApiError::Validation(e.to_string()))?,
            life_domains: LifeDomain::parse_list(&self.life_domains)
                .map_err(|e| ApiError::Validation(format!("life_domains: {e}")))?,
            requested_start_on: self.requested_start_on,
            client: self.client.parse()?,
            referrer: self.referrer.parse()?,
            service: self.service.map(herstelbrug_domain::ServiceId::from_uuid),
        })
    }
}

/// An action on a referral, as the path names it (the domain's `ReferralAction`; a test
/// keeps the two lists equal).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralActionName {
    Acknowledge,
    Assess,
    Accept,
    Reject,
    Start,
    Complete,
    Fail,
    Cancel,
}

/// The fields an action may carry; which it needs depends on the action.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralActionRequest {
    /// Required to fail, and to reject with `reason_code` `other`; optional otherwise.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
    /// Required to reject: `no_capacity`, `not_eligible`, `client_declined`,
    /// `not_reachable` or `other` (with a `reason`).
    #[schema(schema_with = schema::rejection_reason)]
    pub reason_code: Option<RejectionReason>,
    /// Required to accept: when support will start.
    #[serde(default, deserialize_with = "date::optional")]
    pub planned_start_on: Option<NaiveDate>,
    /// With assess: the date the Wmo application (aanvraag) was received; sets the decision due date.
    #[serde(default, deserialize_with = "date::optional")]
    pub application_on: Option<NaiveDate>,
    /// When the action took effect [default: today].
    #[serde(default, deserialize_with = "date::optional")]
    pub effective_on: Option<NaiveDate>,
}

impl ReferralActionRequest {
    pub fn into_command(
        self,
        action: ReferralAction,
        today: NaiveDate,
    ) -> Result<ReferralCommand, ApiError> {
        Ok(ReferralCommand {
            action,
            reason: self
                .reason
                .as_deref()
                .map(|r| BoundedText::parse("reason", r, REASON_MAX))
                .transpose()
                .map_err(|e| ApiError::Validation(e.to_string()))?,
            reason_code: self.reason_code,
            planned_start_on: self.planned_start_on,
            application_on: self.application_on,
            effective_on: self.effective_on.unwrap_or(today),
        })
    }
}

/// The system's reason for a cancellation; a requester's own words stay with it.
pub(crate) fn system_cancellation(r: &Referral) -> Option<String> {
    let reason = r.status_reason.as_ref()?.as_str();
    (r.status == ReferralStatus::Cancelled
        && [
            herstelbrug_domain::routing::NOT_SELECTED_REASON,
            herstelbrug_domain::routing::EXPIRED_REASON,
            herstelbrug_domain::CONSENT_WITHDRAWN_REASON,
        ]
        .contains(&reason))
    .then(|| reason.to_owned())
}

fn text(value: &Option<BoundedText>) -> Option<String> {
    value.as_ref().map(|t| t.as_str().to_owned())
}

/// Dates every view shows: the loop's progress and the statutory clocks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralDates {
    pub requested_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub application_on: Option<NaiveDate>,
    pub decided_at: Option<DateTime<Utc>>,
    pub planned_start_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    /// Referrals to a municipality: the Wmo assessment is due (6 weeks after receipt by default).
    pub assessment_due_on: Option<NaiveDate>,
    /// Referrals to a municipality: the decision is due (2 weeks after the application by default).
    pub decision_due_on: Option<NaiveDate>,
}

impl From<&Referral> for ReferralDates {
    fn from(r: &Referral) -> Self {
        Self {
            requested_at: r.requested_at,
            received_at: r.received_at,
            application_on: r.application_on,
            decided_at: r.decided_at,
            planned_start_on: r.planned_start_on,
            started_on: r.started_on,
            ended_on: r.ended_on,
            assessment_due_on: r.assessment_due_on,
            decision_due_on: r.decision_due_on,
        }
    }
}

/// Marks the requester's view of a referral (the discriminator of `ReferralView`).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequesterSide {
    Requester,
}

/// Marks the recipient's view of a referral (the discriminator of `ReferralView`).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientSide {
    Recipient,
}

/// The referral as its requester (the treating provider) sees it: everything.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderReferralView {
    /// Whose view this is: always `requester` here.
    pub view: RequesterSide,
    pub id: Uuid,
    pub trajectory_id: Uuid,
    #[schema(schema_with = schema::referral_kind)]
    pub kind: ReferralKind,
    #[schema(schema_with = schema::org_id)]
    pub requester: String,
    #[schema(schema_with = schema::org_id)]
    pub recipient: String,
    #[schema(schema_with = schema::referral_status)]
    pub status: ReferralStatus,
    /// Why it was rejected, failed or cancelled, in words (or the system's code:
    /// `not_selected`, `offer_expired`, `consent_withdrawn`).
    pub status_reason: Option<String>,
    #[schema(schema_with = schema::rejection_reason)]
    pub rejection_reason: Option<RejectionReason>,
    /// The catalog service it was sent to, if the referrer named one.
    pub service_id: Option<Uuid>,
    /// The offer it is one candidate of, when it was sent to several at once.
    pub offer_id: Option<Uuid>,
    #[schema(schema_with = schema::life_domains)]
    pub life_domains: Vec<LifeDomain>,
    pub needs: Option<String>,
    pub requested_start_on: Option<NaiveDate>,
    pub client: ClientContactDto,
    pub referrer: ReferrerContactDto,
    pub dates: ReferralDates,
    /// Whether the client's consent for the recipient holds now.
    pub consent_holds: bool,
    /// What the requester may do now.
    #[schema(schema_with = schema::referral_actions)]
    pub allowed_actions: Vec<ReferralAction>,
    /// Also the `ETag`.
    pub version: u32,
}

impl From<&ReferralRecord> for ProviderReferralView {
    fn from(record: &ReferralRecord) -> Self {
        let r = &record.referral;
        Self {
            view: RequesterSide::Requester,
            id: r.id.as_uuid(),
            trajectory_id: r.trajectory_id.as_uuid(),
            kind: r.kind,
            requester: r.requester.to_string(),
            recipient: r.recipient.to_string(),
            status: r.status,
            status_reason: text(&r.status_reason),
            rejection_reason: r.rejection,
            service_id: r.service.map(|s| s.as_uuid()),
            offer_id: r.offer.map(|o| o.as_uuid()),
            life_domains: r.life_domains.clone(),
            needs: r.needs.as_ref().map(|n| n.as_str().to_owned()),
            requested_start_on: r.requested_start_on,
            client: ClientContactDto::disclosed(&r.client, true, true),
            referrer: ReferrerContactDto::from(&r.referrer),
            dates: ReferralDates::from(r),
            consent_holds: record.consent_holds,
            allowed_actions: allowed_actions(r.status, Party::Requester),
            version: r.version,
        }
    }
}

/// The referral as its recipient sees it: the minimum it needs. Personal data only while
/// consent holds: the client's name and the request while open, contact details once
/// accepted, nothing personal once closed. Never diagnoses, substances, notes or BSN.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecipientReferralView {
    /// Whose view this is: always `recipient` here.
    pub view: RecipientSide,
    pub id: Uuid,
    #[schema(schema_with = schema::referral_kind)]
    pub kind: ReferralKind,
    /// The referring care provider.
    #[schema(schema_with = schema::org_id)]
    pub requester: String,
    /// Whom to contact at the referring provider.
    pub referrer: ReferrerContactDto,
    #[schema(schema_with = schema::referral_status)]
    pub status: ReferralStatus,
    /// Its own rejection's code, when it rejected.
    #[schema(schema_with = schema::rejection_reason)]
    pub rejection_reason: Option<RejectionReason>,
    /// When the system cancelled it, why: `not_selected` (another candidate of the offer
    /// accepted), `offer_expired`, `consent_withdrawn`.
    #[schema(schema_with = schema::system_cancellation)]
    pub cancelled_because: Option<String>,
    /// The offer it is one candidate of: several organisations were asked at once and the
    /// first suitable acceptance wins.
    pub offer_id: Option<Uuid>,
    pub dates: ReferralDates,
    /// True when the client withdrew consent (or it expired): no personal data is shown.
    pub consent_withdrawn: bool,
    /// The client's name and, once accepted, contact details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientContactDto>,
    /// What help is asked, as codes (while the request is shown).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(schema_with = schema::life_domains)]
    pub life_domains: Vec<LifeDomain>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_start_on: Option<NaiveDate>,
    /// What the recipient may do now.
    #[schema(schema_with = schema::referral_actions)]
    pub allowed_actions: Vec<ReferralAction>,
    /// The recipient's own catalog service the referral was sent to, if one was named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_id: Option<Uuid>,
    /// Also the `ETag`.
    pub version: u32,
}

impl From<&ReferralRecord> for RecipientReferralView {
    fn from(record: &ReferralRecord) -> Self {
        let r = &record.referral;
        let shown = Disclosure::for_recipient(r.status, record.consent_holds);
        let client = (shown.identity || shown.contact)
            .then(|| ClientContactDto::disclosed(&r.client, shown.identity, shown.contact));
        Self {
            view: RecipientSide::Recipient,
            id: r.id.as_uuid(),
            kind: r.kind,
            requester: r.requester.to_string(),
            // The referring professional, as the disclosure table lets the recipient see
            // a provider's contact: while consent holds and the referral is open.
            referrer: if shown.professional {
                ReferrerContactDto::from(&r.referrer)
            } else {
                ReferrerContactDto::default()
            },
            status: r.status,
            rejection_reason: r.rejection,
            cancelled_because: system_cancellation(r),
            offer_id: r.offer.map(|o| o.as_uuid()),
            dates: ReferralDates::from(r),
            consent_withdrawn: !record.consent_holds,
            client,
            life_domains: if shown.request {
                r.life_domains.clone()
            } else {
                Vec::new()
            },
            needs: shown
                .request
                .then(|| r.needs.as_ref().map(|n| n.as_str().to_owned()))
                .flatten(),
            requested_start_on: if shown.request {
                r.requested_start_on
            } else {
                None
            },
            allowed_actions: allowed_actions(r.status, Party::Recipient),
            service_id: r.service.map(|s| s.as_uuid()),
            version: r.version,
        }
    }
}

/// One referral as the caller may see it: the requester's full view or the recipient's.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ReferralView {
    Requester(ProviderReferralView),
    Recipient(RecipientReferralView),
}

impl ReferralView {
    /// The view for `org`: the requester sees everything, the recipient the minimum.
    pub fn for_org(record: &ReferralRecord, org: OrgId) -> Self {
        if org == OrgId::Agb(record.referral.requester) {
            ReferralView::Requester(record.into())
        } else {
            ReferralView::Recipient(record.into())
        }
    }
}

/// A trajectory's referrals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralList {
    pub items: Vec<ProviderReferralView>,
}

/// One change in the inbox, with the referral as the recipient may see it now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxItem {
    /// Stable and unique: the same change always has the same id (deliveries are at-least-once).
    pub id: String,
    #[schema(schema_with = schema::feed_change)]
    pub change: String,
    pub recorded_at: DateTime<Utc>,
    pub referral: RecipientReferralView,
}

/// A page of the inbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    /// Pass as `after` next time; also the `ETag` of this page.
    pub next_cursor: String,
}

/// One change in the requester's outbox feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxItem {
    pub id: String,
    #[schema(schema_with = schema::feed_change)]
    pub change: String,
    pub recorded_at: DateTime<Utc>,
    pub referral: ProviderReferralView,
}

/// A page of the outbox feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxPage {
    pub items: Vec<OutboxItem>,
    /// Pass as `after` next time; also the `ETag` of this page.
    pub next_cursor: String,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_actions_are_the_domains() {
        let doc =
            serde_json::to_value(<super::ReferralActionName as utoipa::PartialSchema>::schema())
                .expect("serializes");
        let names: Vec<&str> = doc["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(names, herstelbrug_domain::ReferralAction::NAMES);
    }
}
