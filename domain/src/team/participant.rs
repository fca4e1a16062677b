//! A participant of a trajectory: a professional of an organisation in a role, or a
//! naaste (no organisation) whom the client agreed to involve. Participants join and
//! leave with dates, so the current team and its history are both kept.

use crate::kernel::value::FieldError;
use chrono::{DateTime, NaiveDate, Utc};

use crate::disclosure::{Field, Party, Situation, may_see};
use crate::kernel::actor::Actor;
use crate::kernel::ids::{ParticipantId, TrajectoryId};
use crate::kernel::org_id::OrgId;
use crate::kernel::text::BoundedText;
use crate::team::error::TeamError;

string_enum! {
    /// A participant's role in the trajectory.
    pub enum ParticipantRole ("participant role") {
        /// Regiebehandelaar: the clinician responsible for the treatment.
        TreatingClinician => "treating_clinician",
        /// Casemanager.
        CaseManager => "case_manager",
        /// Ervaringsdeskundige.
        PeerExpert => "peer_expert",
        /// Wijkteam or Wmo consultant of the municipality.
        WmoConsultant => "wmo_consultant",
        /// Huisarts.
        GeneralPractitioner => "general_practitioner",
        /// Naaste: a relative, partner or close friend.
        Relative => "relative",
    }
}

impl ParticipantRole {
    /// The provider's own people a recipient may call about its referral.
    pub const fn is_provider_contact(self) -> bool {
        matches!(
            self,
            ParticipantRole::TreatingClinician | ParticipantRole::CaseManager
        )
    }
}

/// The client's consent to involve a naaste (a consent record of its own, WGBO): when it
/// was given, and which organisations besides the treating provider may see the naaste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Involvement {
    pub given_on: NaiveDate,
    pub share_with: Vec<OrgId>,
    pub recorded_by: Actor,
}

/// What a provider supplies to add a participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipant {
    pub role: ParticipantRole,
    pub name: BoundedText,
    /// A professional's organisation; `None` for a naaste.
    pub organisation: Option<OrgId>,
    /// A professional's work contact, or a naaste's own.
    pub phone: Option<BoundedText>,
    pub email: Option<BoundedText>,
    /// A naaste's relation to the client ("partner", "moeder").
    pub relation: Option<BoundedText>,
    pub joined_on: NaiveDate,
    /// Required for a naaste: the client's consent to involve them.
    pub involvement: Option<(NaiveDate, Vec<OrgId>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: ParticipantId,
    pub trajectory_id: TrajectoryId,
    pub role: ParticipantRole,
    pub name: BoundedText,
    pub organisation: Option<OrgId>,
    pub phone: Option<BoundedText>,
    pub email: Option<BoundedText>,
    pub relation: Option<BoundedText>,
    pub involvement: Option<Involvement>,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub recorded_at: DateTime<Utc>,
    pub version: u32,
}

impl Participant {
    /// Adds a participant: a professional names an organisation and no relation; a naaste
    /// names none, a relation, and comes with the client's consent to involve them.
    pub fn join(
        id: ParticipantId,
        trajectory_id: TrajectoryId,
        new: NewParticipant,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Participant, TeamError> {
        let today = now.date_naive();
        let naaste = new.role == ParticipantRole::Relative;
        let rule = |field: &'static str, rule: &'static str| -> Result<Participant, TeamError> {
            Err(FieldError::FieldRule { field, rule }.into())
        };
        match (naaste, new.organisation.is_some()) {
            (true, true) => return rule("organisation", "a naaste belongs to no organisation"),
            (false, false) => {
                return rule("organisation", "a professional belongs to an organisation");
            }
            _ => {}
        }
        if naaste && new.relation.is_none() {
            return rule("relation", "say how the naaste relates to the client");
        }
        if !naaste && new.relation.is_some() {
            return rule("relation", "only a naaste has a relation to the client");
        }
        let involvement = match (naaste, new.involvement) {
            (true, None) => {
                return rule(
                    "consent",
                    "involving a naaste needs the client's recorded consent",
                );
            }
            (false, Some(_)) => {
                return rule("consent", "only a naaste needs a consent to be involved");
            }
            (true, Some((given_on, share_with))) => {
                if given_on > today {
                    return Err(FieldError::DateInFuture {
                        field: "consent.given_on",
                        date: given_on,
                    }
                    .into());
                }
                Some(Involvement {
                    given_on,
                    share_with,
                    recorded_by: actor,
                })
            }
            (false, None) => None,
        };
        if new.joined_on > today {
            return Err(FieldError::DateInFuture {
                field: "joined_on",
                date: new.joined_on,
            }
            .into());
        }
        Ok(Participant {
            id,
            trajectory_id,
            role: new.role,
            name: new.name,
            organisation: new.organisation,
            phone: new.phone,
            email: new.email,
            relation: new.relation,
            involvement,
            joined_on: new.joined_on,
            left_on: None,
            recorded_at: now,
            version: 1,
        })
    }

    /// The participant leaves on `left_on` (not before joining, not in the future, once).
    pub fn leave(&mut self, left_on: NaiveDate, now: DateTime<Utc>) -> Result<(), TeamError> {
        if self.left_on.is_some() {
            return Err(FieldError::FieldRule {
                field: "left_on",
                rule: "the participant already left",
            }
            .into());
        }
        if left_on > now.date_naive() {
            return Err(FieldError::DateInFuture {
                field: "left_on",
                date: left_on,
            }
            .into());
        }
        if left_on < self.joined_on {
            return Err(FieldError::DatesOutOfOrder {
                earlier: "joined_on",
                earlier_date: self.joined_on,
                later: "left_on",
                later_date: left_on,
            }
            .into());
        }
        self.left_on = Some(left_on);
        self.version += 1;
        Ok(())
    }

    pub fn is_current(&self) -> bool {
        self.left_on.is_none()
    }

    /// What `org`, a party of a referral for this trajectory seen in situation `s`, may
    /// see of this participant (the disclosure table): the treating provider everything;
    /// the recipient its own people, the provider's contact persons while the referral is
    /// open and consented, and a naaste only when the client's consent to involve her
    /// names the recipient (her contact only once the referral is accepted). `None`: not
    /// even that the participant exists.
    pub fn seen_by(&self, org: OrgId, treating_provider: OrgId, s: Situation) -> Option<Seen> {
        let seen = |contact: bool| Some(Seen { contact });
        if org == treating_provider {
            return seen(true);
        }
        match (&self.involvement, self.organisation) {
            (Some(involvement), _) => {
                let s = s.naaste(involvement.share_with.contains(&org));
                may_see(Party::Recipient, Field::NaastePresence, s).then(|| Seen {
                    contact: may_see(Party::Recipient, Field::NaasteContact, s),
                })
            }
            (None, Some(owner)) if owner == org => seen(true),
            (None, Some(owner))
                if owner == treating_provider
                    && self.role.is_provider_contact()
                    && may_see(Party::Recipient, Field::ProfessionalContact, s) =>
            {
                seen(true)
            }
            (None, _) => None,
        }
    }
}

/// How much of a participant a party sees: always the role (and a naaste's relation),
/// the name and contact only when `contact`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub contact: bool,
}

/// A participant as one party sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenParticipant {
    pub participant: Participant,
    pub seen: Seen,
}

impl SeenParticipant {
    /// The participants `org` may see, each with how much.
    pub fn filter(
        team: Vec<Participant>,
        org: OrgId,
        treating_provider: OrgId,
        s: Situation,
    ) -> Vec<SeenParticipant> {
        team.into_iter()
            .filter(|p| org == treating_provider || p.is_current())
            .filter_map(|participant| {
                participant
                    .seen_by(org, treating_provider, s)
                    .map(|seen| SeenParticipant { participant, seen })
            })
            .collect()
    }
}
