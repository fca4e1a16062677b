//! What the API says of an organisation: its kind, its registry entry when it is an
//! informal one, and the waiting times measured over the referrals it received.

use chrono::{DateTime, Utc};
use herstelbrug_domain::OrgId;
use herstelbrug_persistence::{InformalOrganisation, RecipientFigures};
use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::dto::WaitingView;
use crate::dto::schema;

/// Which kind of organisation an id names.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// `agb:`: a care provider.
    CareProvider,
    /// `gemeente:`: a municipality.
    Municipality,
    /// `informeel:`: a registered informal organisation (self-help group, peer experts).
    Informal,
}

/// Waiting measured for one kind of support the organisation received referrals for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindWaitingView {
    #[schema(schema_with = schema::referral_kind)]
    pub kind: String,
    pub waiting_times: WaitingView,
}

/// An organisation as a recipient of referrals.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "gemeente:0796",
    "kind": "municipality",
    "name": null,
    "registered_at": null,
    "waiting_times": {
        "to_acceptance": {"insufficient_data": false, "median_days": 9.0, "p80_days": 12.2,
            "measured": 7, "within_norm": 1.0, "median_breaks_norm": false},
        "to_start": {"insufficient_data": true, "median_days": null, "p80_days": null,
            "measured": null, "within_norm": null, "median_breaks_norm": null},
        "total": {"insufficient_data": true, "median_days": null, "p80_days": null,
            "measured": null, "within_norm": null, "median_breaks_norm": null}
    },
    "waiting_times_by_kind": []
}))]
pub struct OrganisationView {
    #[schema(schema_with = schema::org_id)]
    pub id: String,
    pub kind: OrganisationKind,
    /// The registered name of an informal organisation; `null` for the others, which are
    /// known by their AGB or CBS code.
    pub name: Option<String>,
    /// When an informal organisation was registered; `null` for the others.
    pub registered_at: Option<DateTime<Utc>>,
    /// Over every referral it received in the window, whichever service or kind.
    pub waiting_times: WaitingView,
    /// Per kind of support it received referrals for (each suppressed below 5).
    pub waiting_times_by_kind: Vec<KindWaitingView>,
}

impl OrganisationView {
    pub fn new(
        org: OrgId,
        registry: Option<&InformalOrganisation>,
        figures: &RecipientFigures,
    ) -> Self {
        Self {
            id: org.to_string(),
            kind: match org {
                OrgId::Agb(_) => OrganisationKind::CareProvider,
                OrgId::Gemeente(_) => OrganisationKind::Municipality,
                OrgId::Informal(_) => OrganisationKind::Informal,
            },
            name: registry.map(|r| r.name.clone()),
            registered_at: registry.map(|r| r.registered_at),
            waiting_times: (&figures.overall).into(),
            waiting_times_by_kind: figures
                .by_kind
                .iter()
                .map(|(kind, times)| KindWaitingView {
                    kind: kind.as_str().to_owned(),
                    waiting_times: times.into(),
                })
                .collect(),
        }
    }
}
