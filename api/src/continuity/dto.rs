//! Bodies of the alert endpoints.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use herstelbrug_domain::disclosure::{Field, Party, Situation, may_see};
use herstelbrug_domain::{
    Alert, AlertStatus, AlertSubject, ClientContact, OrgId, Resolution, Rule, Severity,
};
use herstelbrug_persistence::Suggestion;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::dto::contact::ClientContactDto;
use crate::dto::schema;
use crate::routing::dto::SuggestionView;
use crate::trajectory::dto::ActorView;

/// How an alert was resolved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResolutionView {
    /// `cleared` (its condition no longer holds) or `by_hand`.
    #[schema(example = "cleared")]
    pub kind: &'static str,
    /// For `cleared`: the change that cleared it, e.g. `referral_accepted`.
    pub cause: Option<String>,
    /// For `by_hand`: the reason given.
    pub reason: Option<String>,
    pub by: Option<ActorView>,
}

/// An alert about a gap in a client's care.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    pub id: Uuid,
    #[schema(schema_with = schema::alert_rule)]
    pub rule: Rule,
    #[schema(schema_with = schema::severity)]
    pub severity: Severity,
    #[schema(schema_with = schema::alert_status)]
    pub status: AlertStatus,
    pub trajectory_id: Uuid,
    /// Set when the rule is about one referral.
    pub referral_id: Option<Uuid>,
    #[schema(schema_with = schema::org_id)]
    pub treating_provider: String,
    /// The referral's recipient, for referral rules.
    pub recipient: Option<String>,
    #[schema(schema_with = schema::municipality)]
    pub municipality: String,
    /// The facts that raised it (dates, phase, reasons).
    pub facts: BTreeMap<String, String>,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<ActorView>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<ResolutionView>,
    /// The client's municipality receives this alert too: a gap alert, and the client's
    /// consent names the municipality.
    pub informs_municipality: bool,
    /// Only in `GET /v1/alerts/{id}` of an unresolved gap alert: where the client could go
    /// now, per kind of support that fell through (refer with `kind`, the service's
    /// `owner` as `recipient` and its `id` as `service`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<SuggestionView>>,
    /// Only for the client's municipality reading its resident's gap alert, while the
    /// client's consent to it holds: who it is about (the name, and the contact last
    /// given on a referral), so its wijkteam can reach out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resident: Option<ClientContactDto>,
    pub version: u32,
}

/// The facts a municipality sees of its resident's gap alert: when and where the path
/// broke, never why treatment ended.
const MUNICIPALITY_FACTS: [&str; 2] = ["phase", "treatment_ended_on"];

impl AlertView {
    /// The view for `reader`, from the disclosure table: a municipality that only
    /// receives the alert for its resident (with consent, or it would not read it) sees
    /// that and when the path broke, never why treatment ended (a dropout is shown as an
    /// ending without follow-up, and only the phase and the ending's date of the facts),
    /// nor text written by hand or who acted.
    pub fn seen_by(mut self, reader: Option<OrgId>) -> Self {
        let informed_only = reader.is_some_and(|org| {
            matches!(org, OrgId::Gemeente(_))
                && org.to_string() == self.municipality
                && self.recipient.as_deref() != Some(org.to_string().as_str())
        });
        if !informed_only {
            return self;
        }
        let party = Party::Municipality;
        let s = Situation::trajectory(self.informs_municipality);
        if !may_see(party, Field::TreatmentEndReason, s) {
            self.facts
                .retain(|k, _| MUNICIPALITY_FACTS.contains(&k.as_str()));
            if self.rule == Rule::DropoutWithoutOutreach {
                self.rule = Rule::TreatmentEndedWithoutFollowup;
            }
        }
        if !may_see(party, Field::StaffId, s) {
            self.acknowledged_by = None;
        }
        if let Some(resolution) = self.resolution.as_mut() {
            if !may_see(party, Field::FreeText, s) {
                resolution.reason = None;
            }
            if !may_see(party, Field::StaffId, s) {
                resolution.by = None;
            }
        }
        self
    }

    /// Adds whom the alert is about, as the disclosure table lets the municipality see
    /// it (`contact` comes from `AlertStore::residents`, only for an informed one).
    pub fn with_resident(mut self, contact: Option<&ClientContact>) -> Self {
        if let Some(contact) = contact {
            let s = Situation::trajectory(self.informs_municipality);
            let name = may_see(Party::Municipality, Field::ClientName, s);
            let reach = may_see(Party::Municipality, Field::ClientContact, s);
            self.resident =
                (name || reach).then(|| ClientContactDto::disclosed(contact, name, reach));
        }
        self
    }

    pub fn with_suggestions(mut self, suggestions: &[Suggestion]) -> Self {
        self.suggestions = Some(suggestions.iter().map(SuggestionView::from).collect());
        self
    }
}

impl From<&Alert> for AlertView {
    fn from(a: &Alert) -> Self {
        let recipient = match a.subject {
            AlertSubject::Referral { recipient, .. } => Some(recipient.to_string()),
            AlertSubject::Trajectory(_) => None,
        };
        let resolution = a.resolution.as_ref().map(|r| match r {
            Resolution::Cleared { cause } => ResolutionView {
                kind: "cleared",
                cause: Some(cause.clone()),
                reason: None,
                by: None,
            },
            Resolution::ByHand { actor, reason } => ResolutionView {
                kind: "by_hand",
                cause: None,
                reason: Some(reason.to_string()),
                by: Some(ActorView::from(actor)),
            },
        });
        Self {
            id: a.id.as_uuid(),
            rule: a.rule,
            severity: a.severity,
            status: a.status,
            trajectory_id: a.trajectory_id.as_uuid(),
            referral_id: a.subject.referral_id().map(|id| id.as_uuid()),
            treating_provider: a.treating_provider.to_string(),
            recipient,
            municipality: a.municipality.to_string(),
            facts: a.facts.iter().cloned().collect(),
            opened_at: a.opened_at,
            acknowledged_at: a.acknowledged_at,
            acknowledged_by: a.acknowledged_by.as_ref().map(ActorView::from),
            escalated_at: a.escalated_at,
            resolved_at: a.resolved_at,
            resolution,
            informs_municipality: a.informs_municipality,
            suggestions: None,
            resident: None,
            version: a.version,
        }
    }
}

/// A page of alerts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertList {
    pub items: Vec<AlertView>,
    /// Pass as `after` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Filters and paging of the alert list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListAlertsParams {
    #[param(schema_with = schema::alert_status)]
    pub status: Option<AlertStatus>,
    #[param(schema_with = schema::alert_rule)]
    pub rule: Option<Rule>,
    #[param(schema_with = schema::severity)]
    pub severity: Option<Severity>,
    /// Only alerts about this trajectory.
    pub trajectory: Option<Uuid>,
    /// Only alerts about clients of this municipality (`gemeente:NNNN`).
    #[param(schema_with = schema::municipality)]
    pub municipality: Option<String>,
    /// Only alerts concerning this organisation (for administrators).
    #[param(schema_with = schema::org_id)]
    pub organisation: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(min_length = 1, max_length = 200, pattern = "^[A-Za-z0-9_-]+$")]
    pub after: Option<String>,
    /// Page size, 1 to 500 [default: 50].
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Resolves an alert by hand.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveAlertRequest {
    /// Why, in a sentence. While the condition still holds, no new alert of the same rule
    /// opens for the same subject until it has cleared once.
    #[schema(
        max_length = 500,
        example = "Cliënt regelt woonruimte via eigen netwerk; besproken met wijkteam."
    )]
    pub reason: String,
}

/// One change in the alert feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertFeedItemView {
    /// Stable and unique per change (deliveries are at-least-once).
    pub id: String,
    #[schema(schema_with = schema::alert_change)]
    pub change: String,
    pub recorded_at: DateTime<Utc>,
    pub alert: AlertView,
}

/// A page of the alert feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertFeedPage {
    pub items: Vec<AlertFeedItemView>,
    /// Pass as `after` next time; also the `ETag` of this page.
    pub next_cursor: String,
}
