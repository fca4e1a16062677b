//! Linking people to trajectories: which trajectories a signed-in person stands in and
//! how, invitations (made by the treating provider for the client, by the client for a
//! naaste), redeeming them under a lock-out, and the client revoking naasten.

use chrono::{DateTime, Utc};
use herstelbrug_domain::person::error::PersonError;
use herstelbrug_domain::person::invitation::{InvitationState, InvitationStatus};
use herstelbrug_domain::person::lockout::Attempts;
use herstelbrug_domain::person::{Representation, Standing};
use herstelbrug_domain::team::ParticipantRole;
use herstelbrug_domain::{AgbCode, Trajectory, TrajectoryId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::db::connect::begin_write;
use crate::db::idempotency::{StoredResponse, WriteContext, keyed_write};
use crate::db::write_txn::WriteTxn;
use crate::entity::{participant, person_attempt, person_invitation, person_link, trajectory};
use crate::error::StoreError;
use crate::person::row::{
    InvitationFor, InvitationRecord, LinkRecord, invitation_from_row, link_from_row,
};
use crate::referral::load::own_trajectory;
use crate::team::row::participant_from_row;
use crate::trajectory::row::trajectory_from_row;

/// Who is signed in, as the store matches them: the keyed hash of their own BSN, and of
/// the client they act for when they represent someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonKey {
    pub own: String,
    pub acting_for: Option<(String, Representation)>,
}

impl PersonKey {
    /// The matcher a client's trajectories are found by: the represented client's, or
    /// the person's own.
    fn client(&self) -> &str {
        self.acting_for.as_ref().map_or(&self.own, |(m, _)| m)
    }

    fn client_standing(&self) -> Standing {
        match self.acting_for {
            Some((_, kind)) => Standing::Representative(kind),
            None => Standing::Client,
        }
    }
}

/// A trajectory a person stands in, how, and (for a naaste) as which participant.
#[derive(Debug, Clone)]
pub struct Stand {
    pub trajectory: Trajectory,
    pub standing: Standing,
    pub participant: Option<herstelbrug_domain::ParticipantId>,
}

/// A new invitation; the code's hash only.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub trajectory_id: TrajectoryId,
    pub purpose: InvitationFor,
    pub code_hash: String,
    /// The provider making a client invitation (its own trajectory only); `None` when
    /// the client invites a naaste (their standing was checked before).
    pub provider: Option<AgbCode>,
}

#[derive(Clone, Debug)]
pub struct PersonStore {
    conn: DatabaseConnection,
}

/// Person writes are not replayed by `Idempotency-Key`: an invitation's answer holds its
/// code, which must not be stored; a retried redemption or revocation is refused
/// harmlessly instead.
fn no_replay<T>(_: &T) -> StoredResponse {
    StoredResponse {
        status: 200,
        body: serde_json::Value::Null,
        etag: None,
        location: None,
    }
}

fn unkeyed<'a>(write: &WriteContext<'a>) -> WriteContext<'a> {
    WriteContext {
        key: None,
        ..*write
    }
}

/// A naaste's link holds while she is a current participant with the client's consent.
fn naaste_current(p: &herstelbrug_domain::team::Participant) -> bool {
    p.role == ParticipantRole::Relative && p.is_current() && p.involvement.is_some()
}

impl PersonStore {
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn }
    }

    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Every trajectory the person stands in, newest first.
    pub async fn trajectories(&self, key: &PersonKey) -> Result<Vec<Stand>, StoreError> {
        let conn = &self.conn;
        let mut found: Vec<(Uuid, Standing, Option<herstelbrug_domain::ParticipantId>)> =
            Vec::new();
        for row in trajectory::Entity::find()
            .filter(trajectory::Column::BsnMatcher.eq(key.client()))
            .all(conn)
            .await?
        {
            found.push((row.id, key.client_standing(), None));
        }
        let mut links = Condition::any().add(
            Condition::all()
                .add(person_link::Column::PersonMatcher.eq(key.client()))
                .add(person_link::Column::Standing.eq("client")),
        );
        if key.acting_for.is_none() {
            links = links.add(
                Condition::all()
                    .add(person_link::Column::PersonMatcher.eq(key.own.as_str()))
                    .add(person_link::Column::Standing.eq("naaste")),
            );
        }
        let rows = person_link::Entity::find()
            .filter(links)
            .filter(person_link::Column::RevokedAt.is_null())
            .all(conn)
            .await?;
        let naaste_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.participant_id).collect();
        let participants = if naaste_ids.is_empty() {
            Vec::new()
        } else {
            participant::Entity::find()
                .filter(participant::Column::Id.is_in(naaste_ids))
                .all(conn)
                .await?
                .into_iter()
                .map(participant_from_row)
                .collect::<Result<Vec<_>, _>>()?
        };
        for row in &rows {
            let link = link_from_row(row)?;
            let (standing, as_participant) = match link.standing {
                InvitationFor::Client => (key.client_standing(), None),
                InvitationFor::Naaste { participant, level } => {
                    let holds = participants
                        .iter()
                        .any(|p| p.id == participant && naaste_current(p));
                    if !holds {
                        continue;
                    }
                    (Standing::Naaste(level), Some(participant))
                }
            };
            if !found.iter().any(|(id, _, _)| *id == row.trajectory_id) {
                found.push((row.trajectory_id, standing, as_participant));
            }
        }
        let ids: Vec<Uuid> = found.iter().map(|(id, _, _)| *id).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let trajectories = trajectory::Entity::find()
            .filter(trajectory::Column::Id.is_in(ids))
            .order_by_desc(trajectory::Column::StartedOn)
            .order_by_desc(trajectory::Column::Id)
            .all(conn)
            .await?;
        let mut out = Vec::new();
        for row in trajectories {
            let id = row.id;
            let trajectory = trajectory_from_row(row)?;
            // The first standing found: a BSN match before a link, a client before a
            // naaste (a person is not their own naaste).
            if let Some((_, standing, participant)) = found.iter().find(|(t, _, _)| *t == id) {
                out.push(Stand {
                    trajectory,
                    standing: *standing,
                    participant: *participant,
                });
            }
        }
        Ok(out)
    }

    /// How the person stands in trajectory `id`; not found when not at all.
    pub async fn standing(&self, key: &PersonKey, id: TrajectoryId) -> Result<Stand, StoreError> {
        self.trajectories(key)
            .await?
            .into_iter()
            .find(|s| s.trajectory.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Makes an invitation: for the client by its treating provider, or for a naaste by
    /// the client (the naaste a current participant with the involvement consent).
    pub async fn invite(
        &self,
        new: NewInvitation,
        write: WriteContext<'_>,
    ) -> Result<InvitationRecord, StoreError> {
        let write = unkeyed(&write);
        let keyed = keyed_write(&self.conn, &write, &no_replay, async |txn: &WriteTxn| {
            if let Some(provider) = new.provider {
                own_trajectory(txn, new.trajectory_id, provider).await?;
            }
            let (participant, level) = match new.purpose {
                InvitationFor::Client => (None, None),
                InvitationFor::Naaste { participant, level } => {
                    let found = participant::Entity::find_by_id(participant.as_uuid())
                        .filter(participant::Column::TrajectoryId.eq(new.trajectory_id.as_uuid()))
                        .one(txn)
                        .await?
                        .map(participant_from_row)
                        .transpose()?;
                    if !found.as_ref().is_some_and(naaste_current) {
                        return Err(StoreError::Domain(PersonError::NotANaaste.into()));
                    }
                    (Some(participant.as_uuid()), Some(level.as_str().to_owned()))
                }
            };
            let state = InvitationState::new(write.now);
            let row = person_invitation::ActiveModel {
                id: Set(Uuid::now_v7()),
                trajectory_id: Set(new.trajectory_id.as_uuid()),
                purpose: Set(new.purpose.purpose().to_owned()),
                participant_id: Set(participant),
                level: Set(level),
                code_hash: Set(new.code_hash.clone()),
                created_by: Set(write.actor.subject.to_string()),
                created_by_org: Set(write.actor.org.to_string()),
                created_at: Set(write.now),
                expires_at: Set(state.expires_at),
                redeemed_at: Set(None),
                revoked_at: Set(None),
            }
            .insert(txn)
            .await?;
            invitation_from_row(&row)
        })
        .await?;
        keyed.written.ok_or(StoreError::NotFound)
    }

    /// The invitations made for a trajectory, of one purpose, newest first (of a
    /// trajectory of `provider`, when it is given).
    pub async fn invitations(
        &self,
        id: TrajectoryId,
        purpose: &str,
        provider: Option<AgbCode>,
    ) -> Result<Vec<InvitationRecord>, StoreError> {
        if let Some(provider) = provider {
            own_trajectory(&self.conn, id, provider).await?;
        }
        person_invitation::Entity::find()
            .filter(person_invitation::Column::TrajectoryId.eq(id.as_uuid()))
            .filter(person_invitation::Column::Purpose.eq(purpose))
            .order_by_desc(person_invitation::Column::Id)
            .all(&self.conn)
            .await?
            .iter()
            .map(invitation_from_row)
            .collect()
    }

    /// Revokes an open invitation of a trajectory (of `provider`, when it is given).
    pub async fn revoke_invitation(
        &self,
        id: TrajectoryId,
        invitation: Uuid,
        provider: Option<AgbCode>,
        write: WriteContext<'_>,
    ) -> Result<InvitationRecord, StoreError> {
        let write = unkeyed(&write);
        let keyed = keyed_write(&self.conn, &write, &no_replay, async |txn: &WriteTxn| {
            if let Some(provider) = provider {
                own_trajectory(txn, id, provider).await?;
            }
            let row = person_invitation::Entity::find_by_id(invitation)
                .filter(person_invitation::Column::TrajectoryId.eq(id.as_uuid()))
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let mut record = invitation_from_row(&row)?;
            record
                .state
                .revoke(write.now)
                .map_err(|e| StoreError::Domain(e.into()))?;
            let mut active: person_invitation::ActiveModel = row.into();
            active.revoked_at = Set(record.state.revoked_at);
            active.update(txn).await?;
            Ok(record)
        })
        .await?;
        keyed.written.ok_or(StoreError::NotFound)
    }

    /// Redeems the invitation whose code hashes to `code_hash`, linking the person. A
    /// wrong code counts toward the lock-out (committed even though the request fails).
    pub async fn redeem(
        &self,
        key: &PersonKey,
        code_hash: &str,
        write: WriteContext<'_>,
    ) -> Result<LinkRecord, StoreError> {
        let now = write.now;
        let attempts = self.attempts(&key.own, now).await?;
        attempts
            .check(now)
            .map_err(|e| StoreError::Domain(e.into()))?;
        let Some(found) = person_invitation::Entity::find()
            .filter(person_invitation::Column::CodeHash.eq(code_hash))
            .one(&self.conn)
            .await?
        else {
            let after = attempts.after_failure(now);
            self.save_attempts(&key.own, after).await?;
            after.check(now).map_err(|e| StoreError::Domain(e.into()))?;
            return Err(StoreError::Domain(PersonError::UnknownCode.into()));
        };
        let write = unkeyed(&write);
        let keyed = keyed_write(&self.conn, &write, &no_replay, async |txn: &WriteTxn| {
            let row = person_invitation::Entity::find_by_id(found.id)
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let mut invitation = invitation_from_row(&row)?;
            invitation
                .state
                .redeem(now)
                .map_err(|e| StoreError::Domain(e.into()))?;
            let (matcher, participant, level) = match invitation.purpose {
                InvitationFor::Client => (key.client().to_owned(), None, None),
                InvitationFor::Naaste { participant, level } => (
                    key.own.clone(),
                    Some(participant.as_uuid()),
                    Some(level.as_str().to_owned()),
                ),
            };
            let trajectory = trajectory::Entity::find_by_id(row.trajectory_id)
                .one(txn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let linked = person_link::Entity::find()
                .filter(person_link::Column::TrajectoryId.eq(row.trajectory_id))
                .filter(person_link::Column::PersonMatcher.eq(matcher.as_str()))
                .filter(person_link::Column::RevokedAt.is_null())
                .one(txn)
                .await?
                .is_some();
            if linked || trajectory.bsn_matcher.as_deref() == Some(matcher.as_str()) {
                return Err(StoreError::Domain(PersonError::AlreadyLinked.into()));
            }
            let updated = person_invitation::Entity::update_many()
                .col_expr(
                    person_invitation::Column::RedeemedAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(person_invitation::Column::Id.eq(row.id))
                .filter(person_invitation::Column::RedeemedAt.is_null())
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Err(StoreError::Domain(
                    PersonError::InvitationClosed {
                        status: InvitationStatus::Redeemed,
                    }
                    .into(),
                ));
            }
            let link = person_link::ActiveModel {
                id: Set(Uuid::now_v7()),
                trajectory_id: Set(row.trajectory_id),
                person_matcher: Set(matcher),
                standing: Set(invitation.purpose.purpose().to_owned()),
                participant_id: Set(participant),
                level: Set(level),
                invitation_id: Set(row.id),
                linked_at: Set(now),
                revoked_at: Set(None),
                revoked_by: Set(None),
            }
            .insert(txn)
            .await?;
            person_attempt::Entity::delete_by_id(key.own.clone())
                .exec(txn)
                .await?;
            link_from_row(&link)
        })
        .await?;
        keyed.written.ok_or(StoreError::NotFound)
    }

    async fn attempts(&self, matcher: &str, now: DateTime<Utc>) -> Result<Attempts, StoreError> {
        Ok(person_attempt::Entity::find_by_id(matcher.to_owned())
            .one(&self.conn)
            .await?
            .map_or(Attempts::none(now), |row| Attempts {
                failures: u32::try_from(row.failures).unwrap_or(0),
                window_started_at: row.window_started_at,
                locked_until: row.locked_until,
            }))
    }

    async fn save_attempts(&self, matcher: &str, attempts: Attempts) -> Result<(), StoreError> {
        let txn = begin_write(&self.conn).await?;
        person_attempt::Entity::insert(person_attempt::ActiveModel {
            person_matcher: Set(matcher.to_owned()),
            failures: Set(i32::try_from(attempts.failures).unwrap_or(i32::MAX)),
            window_started_at: Set(attempts.window_started_at),
            locked_until: Set(attempts.locked_until),
        })
        .on_conflict(
            OnConflict::column(person_attempt::Column::PersonMatcher)
                .update_columns([
                    person_attempt::Column::Failures,
                    person_attempt::Column::WindowStartedAt,
                    person_attempt::Column::LockedUntil,
                ])
                .to_owned(),
        )
        .exec(txn.unflushed())
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The naasten linked to a trajectory (also revoked ones), oldest first, each with
    /// the name she takes part under.
    pub async fn naasten(
        &self,
        id: TrajectoryId,
    ) -> Result<Vec<(LinkRecord, Option<String>)>, StoreError> {
        let links = person_link::Entity::find()
            .filter(person_link::Column::TrajectoryId.eq(id.as_uuid()))
            .filter(person_link::Column::Standing.eq("naaste"))
            .order_by_asc(person_link::Column::Id)
            .all(&self.conn)
            .await?;
        let ids: Vec<Uuid> = links.iter().filter_map(|l| l.participant_id).collect();
        let names: Vec<(Uuid, String)> = if ids.is_empty() {
            Vec::new()
        } else {
            participant::Entity::find()
                .filter(participant::Column::Id.is_in(ids))
                .all(&self.conn)
                .await?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect()
        };
        links
            .iter()
            .map(|row| {
                let name = names
                    .iter()
                    .find(|(pid, _)| Some(*pid) == row.participant_id)
                    .map(|(_, n)| n.clone());
                Ok((link_from_row(row)?, name))
            })
            .collect()
    }

    /// Revokes naasten's access to a trajectory: one link, or (`None`) every link and
    /// every open naaste invitation at once. Returns the links revoked now.
    pub async fn revoke_naasten(
        &self,
        id: TrajectoryId,
        link: Option<Uuid>,
        write: WriteContext<'_>,
    ) -> Result<Vec<LinkRecord>, StoreError> {
        let write = unkeyed(&write);
        let keyed = keyed_write(&self.conn, &write, &no_replay, async |txn: &WriteTxn| {
            let mut select = person_link::Entity::find()
                .filter(person_link::Column::TrajectoryId.eq(id.as_uuid()))
                .filter(person_link::Column::Standing.eq("naaste"));
            if let Some(link) = link {
                select = select.filter(person_link::Column::Id.eq(link));
            }
            let rows = select.all(txn).await?;
            if link.is_some() && rows.is_empty() {
                return Err(StoreError::NotFound);
            }
            let mut revoked = Vec::new();
            for row in rows.into_iter().filter(|r| r.revoked_at.is_none()) {
                let mut active: person_link::ActiveModel = row.into();
                active.revoked_at = Set(Some(write.now));
                active.revoked_by = Set(Some(write.actor.subject.to_string()));
                revoked.push(link_from_row(&active.update(txn).await?)?);
            }
            if link.is_none() {
                person_invitation::Entity::update_many()
                    .col_expr(
                        person_invitation::Column::RevokedAt,
                        sea_orm::sea_query::Expr::value(write.now),
                    )
                    .filter(person_invitation::Column::TrajectoryId.eq(id.as_uuid()))
                    .filter(person_invitation::Column::Purpose.eq("naaste"))
                    .filter(person_invitation::Column::RedeemedAt.is_null())
                    .filter(person_invitation::Column::RevokedAt.is_null())
                    .exec(txn)
                    .await?;
            }
            Ok(revoked)
        })
        .await?;
        keyed.written.ok_or(StoreError::NotFound)
    }
}

impl PersonStore {
    /// The trajectories the person steers (as client or representative) and their
    /// referrals: what their access report is about.
    pub async fn own_subjects(
        &self,
        key: &PersonKey,
    ) -> Result<(Vec<Uuid>, Vec<Uuid>), StoreError> {
        let trajectories: Vec<Uuid> = self
            .trajectories(key)
            .await?
            .into_iter()
            .filter(|s| s.standing.steers())
            .map(|s| s.trajectory.id.as_uuid())
            .collect();
        if trajectories.is_empty() {
            return Ok((trajectories, Vec::new()));
        }
        let referrals = crate::entity::referral::Entity::find()
            .select_only()
            .column(crate::entity::referral::Column::Id)
            .filter(crate::entity::referral::Column::TrajectoryId.is_in(trajectories.clone()))
            .into_tuple()
            .all(&self.conn)
            .await?;
        Ok((trajectories, referrals))
    }
}

impl PersonStore {
    /// One referral of a trajectory the person was found to stand in.
    pub async fn referral(
        &self,
        trajectory: TrajectoryId,
        referral: herstelbrug_domain::ReferralId,
    ) -> Result<herstelbrug_domain::Referral, StoreError> {
        let row = crate::entity::referral::Entity::find_by_id(referral.as_uuid())
            .filter(crate::entity::referral::Column::TrajectoryId.eq(trajectory.as_uuid()))
            .one(&self.conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        crate::referral::row::referral_from_row(row)
    }
}
