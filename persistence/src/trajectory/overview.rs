//! One overview of a client's path: phase and dates, the current team, every referral
//! and offer, the open alerts, the next deadline, and a timeline of every step (phase
//! changes, referral changes, consents given and withdrawn, alerts opened, acknowledged,
//! escalated and resolved, participants joining and leaving, handoff meetings). A fixed
//! number of queries whatever the path's length: one per kind of row, never one per row.

use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use herstelbrug_domain::disclosure::{Field, Party, Situation, may_see};
use herstelbrug_domain::routing::Offer;
use herstelbrug_domain::team::{Meeting, Participant, SeenParticipant};
use herstelbrug_domain::{
    AgbCode, Alert, Consent, OrgId, ReferralEvent, ReferralId, Trajectory, TrajectoryEvent,
    TrajectoryId,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, Statement,
};
use serde_json::json;

use crate::continuity::alert_row::alert_from_row;
use crate::entity::{
    alert, consent, offer, outcome_check, referral_event, timer, trajectory_event, trajectory_step,
};
use crate::error::StoreError;
use crate::referral::load::{own_trajectory, trajectory_referrals, with_consent};
use crate::referral::row::ReferralRecord;
use crate::referral::row::{consent_from_row, referral_event_from_row};
use crate::routing::offer_row::offer_from_row;
use crate::team::store::{
    as_seen, consent_holds_now, party_referral, seen_team, sees_free_text, trajectory_meetings,
    trajectory_participants,
};
use crate::trajectory::row::event_from_row;

/// One step of the path.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub referral_id: Option<ReferralId>,
    pub detail: serde_json::Value,
    /// Who took it (`sub`, organisation), when anyone did.
    pub by: Option<(String, String)>,
}

/// An earlier trajectory of the same client that this path re-enters after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earlier {
    pub id: TrajectoryId,
    pub started_on: NaiveDate,
    pub phase: String,
    /// The closure date, for a closed one.
    pub phase_since: NaiveDate,
    pub readmission: bool,
}

/// The treating provider's overview of a trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub trajectory: Trajectory,
    /// The trajectories this one follows, the most recent first (re-entries after relapse).
    pub chain: Vec<Earlier>,
    pub team: Vec<Participant>,
    pub referrals: Vec<ReferralRecord>,
    pub offers: Vec<Offer>,
    pub open_alerts: Vec<Alert>,
    pub next_deadline: Option<DateTime<Utc>>,
    pub timeline: Vec<Step>,
}

/// A referral's recipient's overview of it: the steps taken on it, its contacts, the
/// handoff meetings and the next due date.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralOverview {
    pub record: ReferralRecord,
    pub contacts: Vec<SeenParticipant>,
    pub meetings: Vec<Meeting>,
    pub steps: Vec<Step>,
}

fn by(actor: &herstelbrug_domain::Actor) -> Option<(String, String)> {
    Some((actor.subject.to_string(), actor.org.to_string()))
}

fn trajectory_step(e: &TrajectoryEvent) -> Step {
    Step {
        at: e.recorded_at,
        kind: e.change.kind().to_owned(),
        referral_id: None,
        detail: json!({"from": e.from.map(|p| p.as_str()), "to": e.to.as_str(),
                       "effective_on": e.effective_on}),
        by: by(&e.actor),
    }
}

fn referral_step(e: &ReferralEvent) -> Step {
    Step {
        at: e.recorded_at,
        kind: e.change.kind().to_owned(),
        referral_id: Some(e.referral_id),
        detail: json!({"from": e.from.map(|s| s.as_str()), "to": e.to.as_str(),
                       "change": serde_json::to_value(&e.change).unwrap_or_default()}),
        by: by(&e.actor),
    }
}

fn consent_steps(c: &Consent) -> Vec<Step> {
    let mut steps = vec![Step {
        at: c.recorded_at,
        kind: "consent_given".to_owned(),
        referral_id: None,
        detail: json!({"consent_id": c.id.to_string(), "organisation": c.organisation.to_string(),
                       "given_on": c.given_on, "expires_on": c.expires_on}),
        by: by(&c.recorded_by),
    }];
    if let Some(w) = &c.withdrawal {
        steps.push(Step {
            at: w.withdrawn_at,
            kind: "consent_withdrawn".to_owned(),
            referral_id: None,
            detail: json!({"consent_id": c.id.to_string(),
                           "organisation": c.organisation.to_string()}),
            by: by(&w.withdrawn_by),
        });
    }
    steps
}

fn alert_steps(a: &Alert) -> Vec<Step> {
    let detail = json!({"alert_id": a.id.to_string(), "rule": a.rule.as_str()});
    let step = |at, kind: &str, who| Step {
        at,
        kind: kind.to_owned(),
        referral_id: a.subject.referral_id(),
        detail: detail.clone(),
        by: who,
    };
    let mut steps = vec![step(a.opened_at, "alert_opened", None)];
    if let Some(at) = a.acknowledged_at {
        steps.push(step(
            at,
            "alert_acknowledged",
            a.acknowledged_by.as_ref().and_then(by),
        ));
    }
    if let Some(at) = a.escalated_at {
        steps.push(step(at, "alert_escalated", None));
    }
    if let Some(at) = a.resolved_at {
        let who = match &a.resolution {
            Some(herstelbrug_domain::Resolution::ByHand { actor, .. }) => by(actor),
            _ => None,
        };
        steps.push(step(at, "alert_resolved", who));
    }
    steps
}

/// A participant's steps as they were shown before join and leave were stored as steps
/// with their actor: for participants from before, whose actor was never recorded.
fn participant_steps(p: &Participant) -> Vec<Step> {
    let detail = crate::team::store::participant_step(p);
    let mut steps = vec![Step {
        at: p.recorded_at,
        kind: "participant_joined".to_owned(),
        referral_id: None,
        detail: detail.clone(),
        by: None,
    }];
    if let Some(left) = p.left_on {
        steps.push(Step {
            at: herstelbrug_domain::calendar::start_of(left),
            kind: "participant_left".to_owned(),
            referral_id: None,
            detail,
            by: None,
        });
    }
    steps
}

fn stored_step(row: trajectory_step::Model) -> Result<Step, StoreError> {
    let detail: serde_json::Value = serde_json::from_str(&row.detail)
        .map_err(|e| StoreError::Corrupt(format!("step detail: {e}")))?;
    Ok(Step {
        at: row.recorded_at,
        kind: row.kind,
        referral_id: detail["referral_id"].as_str().and_then(|r| r.parse().ok()),
        detail,
        by: Some((row.actor_subject, row.actor_org)),
    })
}

fn sorted(mut steps: Vec<Step>) -> Vec<Step> {
    steps.sort_by_key(|s| s.at);
    steps
}

// One recursive query for the whole chain, however long.
const CHAIN_POSTGRES: &str = "WITH RECURSIVE chain(id, previous_trajectory_id, depth) AS ( \
    SELECT id, previous_trajectory_id, 0 FROM trajectories WHERE id = $1 \
    UNION ALL SELECT t.id, t.previous_trajectory_id, c.depth + 1 FROM trajectories t \
    JOIN chain c ON t.id = c.previous_trajectory_id WHERE c.depth < 100) \
    SELECT t.id, t.started_on, t.phase, t.phase_since, t.readmission FROM chain c \
    JOIN trajectories t ON t.id = c.id WHERE c.depth > 0 ORDER BY c.depth";
const CHAIN_SQLITE: &str = "WITH RECURSIVE chain(id, previous_trajectory_id, depth) AS ( \
    SELECT id, previous_trajectory_id, 0 FROM trajectories WHERE id = ? \
    UNION ALL SELECT t.id, t.previous_trajectory_id, c.depth + 1 FROM trajectories t \
    JOIN chain c ON t.id = c.previous_trajectory_id WHERE c.depth < 100) \
    SELECT t.id, t.started_on, t.phase, t.phase_since, t.readmission FROM chain c \
    JOIN trajectories t ON t.id = c.id WHERE c.depth > 0 ORDER BY c.depth";

async fn chain(conn: &DatabaseConnection, id: TrajectoryId) -> Result<Vec<Earlier>, StoreError> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => CHAIN_POSTGRES,
        _ => CHAIN_SQLITE,
    };
    conn.query_all_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [id.as_uuid().into()],
    ))
    .await?
    .iter()
    .map(|row| {
        Ok(Earlier {
            id: TrajectoryId::from_uuid(row.try_get("", "id")?),
            started_on: row.try_get("", "started_on")?,
            phase: row.try_get("", "phase")?,
            phase_since: row.try_get("", "phase_since")?,
            readmission: row.try_get("", "readmission")?,
        })
    })
    .collect::<Result<Vec<_>, sea_orm::DbErr>>()
    .map_err(StoreError::from)
}

#[derive(Clone, Debug)]
pub struct OverviewStore {
    conn: DatabaseConnection,
}

impl OverviewStore {
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    /// The overview of a trajectory of `provider`.
    pub async fn trajectory(
        &self,
        id: TrajectoryId,
        provider: AgbCode,
        now: DateTime<Utc>,
    ) -> Result<Overview, StoreError> {
        let conn = &self.conn;
        let trajectory = own_trajectory(conn, id, provider).await?;
        let uuid = id.as_uuid();
        let team = trajectory_participants(conn, id).await?;
        let referrals = with_consent(conn, trajectory_referrals(conn, id).await?, now).await?;
        let mut steps_after: Vec<Step> = Vec::new();
        let offers: Vec<Offer> = offer::Entity::find()
            .filter(offer::Column::TrajectoryId.eq(uuid))
            .order_by_asc(offer::Column::Id)
            .all(conn)
            .await?
            .into_iter()
            .map(offer_from_row)
            .collect::<Result<_, _>>()?;
        let alerts: Vec<Alert> = alert::Entity::find()
            .filter(alert::Column::TrajectoryId.eq(uuid))
            .order_by_asc(alert::Column::Id)
            .all(conn)
            .await?
            .into_iter()
            .map(alert_from_row)
            .collect::<Result<_, _>>()?;
        let chain = chain(conn, id).await?;
        for row in outcome_check::Entity::find()
            .filter(outcome_check::Column::TrajectoryId.eq(uuid))
            .all(conn)
            .await?
        {
            steps_after.push(Step {
                at: row.recorded_at,
                kind: "outcome_checked".to_owned(),
                referral_id: None,
                detail: json!({"after_days": row.after_days, "outcome": row.outcome,
                               "checked_on": row.checked_on}),
                by: Some((row.recorded_by, row.recorded_by_org)),
            });
        }
        let next_deadline = timer::Entity::find_by_id(uuid)
            .one(conn)
            .await?
            .map(|t| t.due_at);
        let mut steps: Vec<Step> = trajectory_event::Entity::find()
            .filter(trajectory_event::Column::TrajectoryId.eq(uuid))
            .all(conn)
            .await?
            .into_iter()
            .map(|row| event_from_row(row).map(|e| trajectory_step(&e)))
            .collect::<Result<_, _>>()?;
        for row in referral_event::Entity::find()
            .filter(referral_event::Column::TrajectoryId.eq(uuid))
            .all(conn)
            .await?
        {
            steps.push(referral_step(&referral_event_from_row(row)?));
        }
        for row in consent::Entity::find()
            .filter(consent::Column::TrajectoryId.eq(uuid))
            .all(conn)
            .await?
        {
            steps.extend(consent_steps(&consent_from_row(row)?));
        }
        for row in trajectory_step::Entity::find()
            .filter(trajectory_step::Column::TrajectoryId.eq(uuid))
            .all(conn)
            .await?
        {
            steps.push(stored_step(row)?);
        }
        // Joins, leaves and offers are stored steps with their actor; those from before
        // that was so are shown as they were (without one).
        let stored = |kind: &str, field: &str, id: String| {
            steps
                .iter()
                .any(|s| s.kind == kind && s.detail[field].as_str() == Some(id.as_str()))
        };
        let earlier: Vec<Step> = team
            .iter()
            .flat_map(participant_steps)
            .filter(|s| {
                let id = s.detail["participant_id"].as_str().unwrap_or_default();
                !stored(&s.kind, "participant_id", id.to_owned())
            })
            .chain(
                offers
                    .iter()
                    .filter(|o| !stored("offer_created", "offer_id", o.id.to_string()))
                    .map(|o| Step {
                        at: o.created_at,
                        kind: "offer_created".to_owned(),
                        referral_id: None,
                        detail: json!({"offer_id": o.id.to_string(), "kind": o.kind.as_str(),
                                       "status": o.status.as_str()}),
                        by: None,
                    }),
            )
            .collect();
        steps.extend(steps_after);
        steps.extend(alerts.iter().flat_map(alert_steps));
        steps.extend(earlier);
        Ok(Overview {
            team: team.into_iter().filter(Participant::is_current).collect(),
            referrals,
            offers,
            open_alerts: alerts.into_iter().filter(Alert::is_unresolved).collect(),
            next_deadline,
            timeline: sorted(steps),
            trajectory,
            chain,
        })
    }

    /// The overview of referral `id` for a party: its steps, the contacts the party may
    /// see, and its handoff meetings.
    pub async fn referral(
        &self,
        id: ReferralId,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<ReferralOverview, StoreError> {
        let conn = &self.conn;
        let referral = party_referral(conn, id, org).await?;
        let holds = consent_holds_now(conn, &referral, now).await?;
        let contacts: Vec<SeenParticipant> = seen_team(conn, &referral, org, holds)
            .await?
            .into_iter()
            .filter(|p| p.participant.is_current())
            .collect();
        let meetings = trajectory_meetings(conn, referral.trajectory_id)
            .await?
            .into_iter()
            .filter(|m| m.referral_id == id)
            .map(|m| as_seen(m, &contacts, sees_free_text(&referral, org, holds)))
            .collect();
        let mut steps = referral_event::Entity::find()
            .filter(referral_event::Column::ReferralId.eq(id.as_uuid()))
            .all(conn)
            .await?
            .into_iter()
            .map(|row| referral_event_from_row(row).map(|e| referral_step(&e)))
            .collect::<Result<Vec<_>, _>>()?;
        // Who at another organisation acted: only as the disclosure table allows.
        let situation = Situation::referral(referral.status, holds);
        if org != OrgId::Agb(referral.requester)
            && !may_see(Party::Recipient, Field::StaffId, situation)
        {
            let own = org.to_string();
            for step in &mut steps {
                if step.by.as_ref().is_some_and(|(_, by_org)| *by_org != own) {
                    step.by = None;
                }
            }
        }
        Ok(ReferralOverview {
            record: ReferralRecord {
                consent_holds: holds,
                referral,
            },
            contacts,
            meetings,
            steps: sorted(steps),
        })
    }
}
