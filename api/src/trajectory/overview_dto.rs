//! Bodies of the path overviews: the treating provider's of a trajectory, and a party's of
//! one referral.

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::OrgId;
use herstelbrug_persistence::{Overview, ReferralOverview, Step};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::continuity::dto::AlertView;
use crate::dto::schema;
use crate::referral::dto::{ProviderReferralView, ReferralView};
use crate::team::dto::{MeetingView, ParticipantView};
use crate::trajectory::dto::TrajectoryView;

/// One step of the path.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub at: DateTime<Utc>,
    /// `registered`, a phase change, `referral_*`, `consent_given`, `consent_withdrawn`,
    /// `alert_opened|acknowledged|escalated|resolved`, `participant_joined|left`,
    /// `offer_created`, `meeting_planned|postponed|held|not_held`.
    pub kind: String,
    pub referral_id: Option<Uuid>,
    /// What the step was about (ids, statuses, dates); never a diagnosis.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// Who took it (`sub`), when anyone did.
    pub by: Option<String>,
    /// On behalf of which organisation.
    pub by_org: Option<String>,
}

impl From<&Step> for StepView {
    fn from(s: &Step) -> Self {
        Self {
            at: s.at,
            kind: s.kind.clone(),
            referral_id: s.referral_id.map(|r| r.as_uuid()),
            detail: s.detail.clone(),
            by: s.by.as_ref().map(|(sub, _)| sub.clone()),
            by_org: s.by.as_ref().map(|(_, org)| org.clone()),
        }
    }
}

/// A referral in the overview, with the next date due on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverviewReferral {
    pub referral: ProviderReferralView,
    /// The Wmo assessment or decision while the municipality works, the planned start once
    /// accepted; `null` when nothing is due.
    pub next_due_on: Option<NaiveDate>,
}

/// An offer in the overview.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverviewOffer {
    pub id: Uuid,
    #[schema(schema_with = schema::referral_kind)]
    pub kind: String,
    #[schema(schema_with = schema::offer_status)]
    pub status: String,
    pub expires_at: DateTime<Utc>,
    pub selected_referral_id: Option<Uuid>,
}

/// An earlier trajectory of the same client that this path re-enters after.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EarlierView {
    pub id: Uuid,
    pub started_on: NaiveDate,
    #[schema(schema_with = schema::phase)]
    pub phase: String,
    /// When its current phase began: its closure date once closed.
    pub phase_since: NaiveDate,
    pub readmission: bool,
}

/// The whole path of one client, for the treating provider.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverviewView {
    pub trajectory: TrajectoryView,
    /// The trajectories this one re-enters after, the most recent first.
    pub chain: Vec<EarlierView>,
    /// Who is involved now.
    pub team: Vec<ParticipantView>,
    pub referrals: Vec<OverviewReferral>,
    pub offers: Vec<OverviewOffer>,
    pub open_alerts: Vec<AlertView>,
    /// When the rules look at this path again (a term, a planned end, an expiry).
    pub next_deadline: Option<DateTime<Utc>>,
    /// Every step, oldest first.
    pub timeline: Vec<StepView>,
}

impl From<&Overview> for OverviewView {
    fn from(o: &Overview) -> Self {
        Self {
            trajectory: TrajectoryView::from(&o.trajectory),
            chain: o
                .chain
                .iter()
                .map(|e| EarlierView {
                    id: e.id.as_uuid(),
                    started_on: e.started_on,
                    phase: e.phase.clone(),
                    phase_since: e.phase_since,
                    readmission: e.readmission,
                })
                .collect(),
            team: o.team.iter().map(ParticipantView::from).collect(),
            referrals: o
                .referrals
                .iter()
                .map(|r| OverviewReferral {
                    referral: ProviderReferralView::from(r),
                    next_due_on: r.referral.next_due_on(),
                })
                .collect(),
            offers: o
                .offers
                .iter()
                .map(|offer| OverviewOffer {
                    id: offer.id.as_uuid(),
                    kind: offer.kind.as_str().to_owned(),
                    status: offer.status.as_str().to_owned(),
                    expires_at: offer.expires_at,
                    selected_referral_id: offer.selected.map(|r| r.as_uuid()),
                })
                .collect(),
            open_alerts: o.open_alerts.iter().map(AlertView::from).collect(),
            next_deadline: o.next_deadline,
            timeline: o.timeline.iter().map(StepView::from).collect(),
        }
    }
}

/// One referral's path, for a party of it: the recipient sees its minimised view, its
/// contacts at the provider and the steps taken on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralOverviewView {
    pub referral: ReferralView,
    pub contacts: Vec<ParticipantView>,
    pub meetings: Vec<MeetingView>,
    pub next_due_on: Option<NaiveDate>,
    /// The steps taken on the referral, oldest first.
    pub steps: Vec<StepView>,
}

impl ReferralOverviewView {
    pub fn new(o: &ReferralOverview, org: OrgId) -> Self {
        Self {
            referral: ReferralView::for_org(&o.record, org),
            contacts: o.contacts.iter().map(ParticipantView::from).collect(),
            meetings: o.meetings.iter().map(MeetingView::from).collect(),
            next_due_on: o.record.referral.next_due_on(),
            steps: o.steps.iter().map(StepView::from).collect(),
        }
    }
}
