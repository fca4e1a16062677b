//! The people around a client and the warm handoff: the treating provider adds and ends
//! participants; either party of a referral plans its handoff meeting and records what
//! happened, each change re-evaluating the trajectory's rules in its own transaction.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::VersionMatch;
use herstelbrug_domain::disclosure::Situation;
use herstelbrug_domain::team::{
    HandoffOutcome, Meeting, NewParticipant, Participant, SeenParticipant,
};
use herstelbrug_domain::{
    AgbCode, ContinuityPolicy, FieldError, MeetingId, OrgId, ParticipantId, Referral, ReferralId,
    TrajectoryId,
};
use sea_orm::QueryTrait as _;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use crate::continuity;
use crate::db::idempotency::{Replayable, Respond, WriteContext, keyed_write, keyed_write_about};
use crate::db::write_txn::WriteTxn;
use crate::entity::{handoff_meeting, participant, referral, trajectory_step};
use crate::error::StoreError;
use crate::feed::signal::FeedSignal;
use crate::referral::load::own_trajectory;
use crate::referral::row::referral_from_row;
use crate::team::row::{
    meeting_from_row, meeting_to_row, participant_from_row, participant_to_row, step_row,
};
use crate::trajectory::row::stored_version;

/// A participant leaves the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    pub trajectory_id: TrajectoryId,
    pub provider: AgbCode,
    pub participant: ParticipantId,
    pub if_match: VersionMatch,
    pub left_on: NaiveDate,
}

/// A party of a referral plans its warm handoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanMeeting {
    pub referral: ReferralId,
    pub org: OrgId,
    pub planned_at: DateTime<Utc>,
    pub participants: Vec<ParticipantId>,
}

/// A party of a referral records what happened to a planned meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMeeting {
    pub referral: ReferralId,
    pub meeting: MeetingId,
    pub org: OrgId,
    pub if_match: VersionMatch,
    pub outcome: HandoffOutcome,
}

#[derive(Clone, Debug)]
pub struct TeamStore {
    conn: DatabaseConnection,
    signal: Arc<FeedSignal>,
    policy: ContinuityPolicy,
}

/// The referral `id` if `org` is one of its parties.
pub(crate) async fn party_referral<C: ConnectionTrait>(
    conn: &C,
    id: ReferralId,
    org: OrgId,
) -> Result<Referral, StoreError> {
    let referral = referral::Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(referral_from_row)?;
    if org == OrgId::Agb(referral.requester) || org == referral.recipient {
        Ok(referral)
    } else {
        Err(StoreError::NotFound)
    }
}

pub(crate) async fn trajectory_participants<C: ConnectionTrait>(
    conn: &C,
    trajectory_id: TrajectoryId,
) -> Result<Vec<Participant>, StoreError> {
    participant::Entity::find()
        .filter(participant::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
        .order_by_asc(participant::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(participant_from_row)
        .collect()
}

pub(crate) async fn trajectory_meetings<C: ConnectionTrait>(
    conn: &C,
    trajectory_id: TrajectoryId,
) -> Result<Vec<Meeting>, StoreError> {
    handoff_meeting::Entity::find()
        .filter(handoff_meeting::Column::TrajectoryId.eq(trajectory_id.as_uuid()))
        .order_by_asc(handoff_meeting::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(meeting_from_row)
        .collect()
}

fn meeting_step(m: &Meeting, kind: &str) -> serde_json::Value {
    serde_json::json!({
        "meeting_id": m.id.to_string(),
        "referral_id": m.referral_id.to_string(),
        "planned_at": m.planned_at.to_rfc3339(),
        "status": m.status.as_str(),
        "reason": m.reason.as_ref().map(|r| r.as_str().to_owned()),
        "kind": kind,
    })
}

impl TeamStore {
    pub fn new(
        conn: DatabaseConnection,
        signal: Arc<FeedSignal>,
        policy: ContinuityPolicy,
    ) -> Self {
        Self {
            conn,
            signal,
            policy,
        }
    }

    /// Adds a participant to a trajectory of `provider`.
    pub async fn join(
        &self,
        trajectory_id: TrajectoryId,
        provider: AgbCode,
        new: NewParticipant,
        write: WriteContext<'_>,
        respond: Respond<'_, Participant>,
    ) -> Result<Replayable, StoreError> {
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            own_trajectory(txn, trajectory_id, provider).await?;
            let participant = Participant::join(
                ParticipantId::new_at(write.now),
                trajectory_id,
                new,
                write.actor.clone(),
                write.now,
            )?;
            txn.defer(participant::Entity::insert(participant_to_row(&participant)).into_query());
            // Every step names who took it.
            txn.defer(
                trajectory_step::Entity::insert(step_row(
                    trajectory_id,
                    "participant_joined",
                    participant_step(&participant),
                    write.actor,
                    write.now,
                ))
                .into_query(),
            );
            Ok(participant)
        })
        .await?;
        Ok(keyed.outcome)
    }

    /// A participant of a trajectory of `provider` leaves, if its current version satisfies
    /// `if_match`.
    pub async fn leave(
        &self,
        leave: Leave,
        write: WriteContext<'_>,
        respond: Respond<'_, Participant>,
    ) -> Result<Replayable, StoreError> {
        let keyed = keyed_write(&self.conn, &write, respond, async |txn: &WriteTxn| {
            own_trajectory(txn, leave.trajectory_id, leave.provider).await?;
            let mut participant = participant::Entity::find_by_id(leave.participant.as_uuid())
                .filter(participant::Column::TrajectoryId.eq(leave.trajectory_id.as_uuid()))
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound)
                .and_then(participant_from_row)?;
            let before = participant.version;
            if !leave.if_match.admits(before) {
                return Err(StoreError::VersionMismatch { current: before });
            }
            participant.leave(leave.left_on, write.now)?;
            let updated = participant::Entity::update_many()
                .set(participant_to_row(&participant))
                .filter(participant::Column::Id.eq(participant.id.as_uuid()))
                .filter(participant::Column::Version.eq(stored_version(before)))
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::VersionMismatch {
                    current: before + 1,
                });
            }
            let mut detail = participant_step(&participant);
            detail["left_on"] = serde_json::json!(leave.left_on.to_string());
            txn.defer(
                trajectory_step::Entity::insert(step_row(
                    leave.trajectory_id,
                    "participant_left",
                    detail,
                    write.actor,
                    write.now,
                ))
                .into_query(),
            );
            Ok(participant)
        })
        .await?;
        Ok(keyed.outcome)
    }

    /// The whole team of a trajectory of `provider`, current and past, in joining order.
    pub async fn team(
        &self,
        trajectory_id: TrajectoryId,
        provider: AgbCode,
    ) -> Result<Vec<Participant>, StoreError> {
        own_trajectory(&self.conn, trajectory_id, provider).await?;
        trajectory_participants(&self.conn, trajectory_id).await
    }

    /// The team as a party of referral `id` may see it on `now`: the requester everyone;
    /// the recipient what the disclosure table lets it (`SeenParticipant`).
    pub async fn team_for_referral(
        &self,
        id: ReferralId,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<(Referral, Vec<SeenParticipant>), StoreError> {
        let referral = party_referral(&self.conn, id, org).await?;
        let holds = consent_holds_now(&self.conn, &referral, now).await?;
        let team = seen_team(&self.conn, &referral, org, holds).await?;
        Ok((referral, team))
    }

    /// The handoff meetings of referral `id`, for either party, naming only the
    /// participants that party may see.
    pub async fn meetings(
        &self,
        id: ReferralId,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Meeting>, StoreError> {
        let referral = party_referral(&self.conn, id, org).await?;
        let holds = consent_holds_now(&self.conn, &referral, now).await?;
        let team = seen_team(&self.conn, &referral, org, holds).await?;
        let free_text = sees_free_text(&referral, org, holds);
        Ok(trajectory_meetings(&self.conn, referral.trajectory_id)
            .await?
            .into_iter()
            .filter(|m| m.referral_id == id)
            .map(|m| as_seen(m, &team, free_text))
            .collect())
    }

    /// A meeting change: `work` writes it and names the change; the step is logged, the
    /// trajectory's rules run again, and the parties' feeds wake, all in one transaction.
    async fn write_meeting(
        &self,
        write: WriteContext<'_>,
        respond: Respond<'_, Meeting>,
        work: impl AsyncFnOnce(&WriteTxn) -> Result<(Meeting, &'static str), StoreError>,
    ) -> Result<Replayable, StoreError> {
        let respond = |(m, _): &(Meeting, Vec<String>)| respond(m);
        let keyed = keyed_write_about(
            &self.conn,
            &write,
            &respond,
            |(m, _)| Some(m.trajectory_id.as_uuid()),
            async |txn: &WriteTxn| {
                let (meeting, kind) = work(txn).await?;
                txn.defer(
                    trajectory_step::Entity::insert(step_row(
                        meeting.trajectory_id,
                        kind,
                        meeting_step(&meeting, kind),
                        write.actor,
                        write.now,
                    ))
                    .into_query(),
                );
                let woken =
                    continuity::evaluate(txn, meeting.trajectory_id, write.now, &self.policy, kind)
                        .await?;
                Ok((meeting, woken))
            },
        )
        .await?;
        if let Some((_, woken)) = &keyed.written {
            self.signal.notify_all(woken);
        }
        Ok(keyed.outcome)
    }

    /// Plans the warm handoff of a referral; its participants must be of its trajectory.
    pub async fn plan(
        &self,
        plan: PlanMeeting,
        write: WriteContext<'_>,
        respond: Respond<'_, Meeting>,
    ) -> Result<Replayable, StoreError> {
        let (actor, now) = (write.actor.clone(), write.now);
        self.write_meeting(write, respond, async |txn: &WriteTxn| {
            let referral = party_referral(txn, plan.referral, plan.org).await?;
            let team = trajectory_participants(txn, referral.trajectory_id).await?;
            if plan
                .participants
                .iter()
                .any(|p| !team.iter().any(|t| t.id == *p))
            {
                return Err(FieldError::FieldRule {
                    field: "participants",
                    rule: "every participant must take part in this trajectory",
                }
                .into());
            }
            let meeting = Meeting::plan(
                MeetingId::new_at(now),
                referral.id,
                referral.trajectory_id,
                plan.planned_at,
                plan.participants.clone(),
                actor,
                now,
            );
            handoff_meeting::Entity::insert(meeting_to_row(&meeting))
                .exec_without_returning(txn)
                .await?;
            Ok((meeting, "meeting_planned"))
        })
        .await
    }

    /// Records the outcome of a planned meeting, if its current version satisfies `if_match`.
    pub async fn record(
        &self,
        record: RecordMeeting,
        write: WriteContext<'_>,
        respond: Respond<'_, Meeting>,
    ) -> Result<Replayable, StoreError> {
        let (actor, now) = (write.actor.clone(), write.now);
        self.write_meeting(write, respond, async |txn: &WriteTxn| {
            party_referral(txn, record.referral, record.org).await?;
            let mut meeting = handoff_meeting::Entity::find_by_id(record.meeting.as_uuid())
                .filter(handoff_meeting::Column::ReferralId.eq(record.referral.as_uuid()))
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound)
                .and_then(meeting_from_row)?;
            let before = meeting.version;
            if !record.if_match.admits(before) {
                return Err(StoreError::VersionMismatch { current: before });
            }
            let kind = match &record.outcome {
                HandoffOutcome::Held => "meeting_held",
                HandoffOutcome::Postponed { .. } => "meeting_postponed",
                HandoffOutcome::NotHeld { .. } => "meeting_not_held",
            };
            meeting.record(record.outcome.clone(), actor, now)?;
            let updated = handoff_meeting::Entity::update_many()
                .set(meeting_to_row(&meeting))
                .filter(handoff_meeting::Column::Id.eq(meeting.id.as_uuid()))
                .filter(handoff_meeting::Column::Version.eq(stored_version(before)))
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::VersionMismatch {
                    current: before + 1,
                });
            }
            Ok((meeting, kind))
        })
        .await
    }
}

/// Whether the client's consent for `referral`'s recipient holds on `now`.
pub(crate) async fn consent_holds_now(
    conn: &DatabaseConnection,
    referral: &Referral,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(
        crate::feed::consent_holds(conn, std::slice::from_ref(referral), now)
            .await?
            .get(&referral.id)
            .copied()
            .unwrap_or(false),
    )
}

/// The participants of `referral`'s trajectory as `org`, a party of it, may see them
/// (the disclosure table, with whether the consent holds now).
pub(crate) async fn seen_team(
    conn: &DatabaseConnection,
    referral: &Referral,
    org: OrgId,
    consent_holds: bool,
) -> Result<Vec<SeenParticipant>, StoreError> {
    let situation = Situation::referral(referral.status, consent_holds);
    let team = trajectory_participants(conn, referral.trajectory_id).await?;
    Ok(SeenParticipant::filter(
        team,
        org,
        OrgId::Agb(referral.requester),
        situation,
    ))
}

/// `meeting` as a party sees it: only the participants in `team` named (a party never
/// learns the id of someone it may not see), and its reason (text written by hand) only
/// where `free_text` (the disclosure table's `free_text` row for that party).
pub(crate) fn as_seen(mut meeting: Meeting, team: &[SeenParticipant], free_text: bool) -> Meeting {
    meeting
        .participants
        .retain(|id| team.iter().any(|p| p.participant.id == *id));
    if !free_text {
        meeting.reason = None;
    }
    meeting
}

/// Whether `org`, a party of `referral`, sees text written by hand on it.
pub(crate) fn sees_free_text(referral: &Referral, org: OrgId, consent_holds: bool) -> bool {
    use herstelbrug_domain::disclosure::{Field, Party, may_see};
    org == OrgId::Agb(referral.requester)
        || may_see(
            Party::Recipient,
            Field::FreeText,
            Situation::referral(referral.status, consent_holds),
        )
}

/// What a participant's steps say of them (the provider's own timeline).
pub(crate) fn participant_step(p: &Participant) -> serde_json::Value {
    serde_json::json!({"participant_id": p.id.to_string(), "role": p.role.as_str(),
                       "name": p.name.as_str()})
}
