use chrono::Duration;

use super::*;
use crate::disclosure::Situation;
use crate::kernel::ids::{MeetingId, ParticipantId, ReferralId, TrajectoryId};
use crate::kernel::org_id::OrgId;
use crate::kernel::text::BoundedText;
use crate::kernel::value::FieldError;
use crate::referral::ReferralStatus;
use crate::team::error::TeamError;
use crate::test_support::{actor, at, date, nijmegen, provider};

fn text(t: &str) -> BoundedText {
    BoundedText::parse("text", t, 200).expect("text")
}

fn professional(role: ParticipantRole, org: OrgId) -> NewParticipant {
    NewParticipant {
        role,
        name: text("M. de Vries"),
        organisation: Some(org),
        phone: Some(text("024-1234567")),
        email: None,
        relation: None,
        joined_on: date(2026, 11, 1),
        involvement: None,
    }
}

fn naaste(share_with: Vec<OrgId>) -> NewParticipant {
    NewParticipant {
        role: ParticipantRole::Relative,
        name: text("A. Jansen"),
        organisation: None,
        phone: Some(text("06-87654321")),
        email: None,
        relation: Some(text("zus")),
        joined_on: date(2026, 11, 1),
        involvement: Some((date(2026, 11, 1), share_with)),
    }
}

fn join(new: NewParticipant) -> Result<Participant, TeamError> {
    Participant::join(
        ParticipantId::new_at(at(2026, 12, 1)),
        TrajectoryId::new_at(at(2026, 12, 1)),
        new,
        actor(OrgId::Agb(provider())),
        at(2026, 12, 1),
    )
}

#[test]
fn a_naaste_comes_with_consent_and_a_relation_and_no_organisation() {
    assert!(join(naaste(Vec::new())).is_ok());
    let mut without_consent = naaste(Vec::new());
    without_consent.involvement = None;
    assert!(matches!(
        join(without_consent),
        Err(TeamError::Field(FieldError::FieldRule {
            field: "consent",
            ..
        }))
    ));
    let mut with_org = naaste(Vec::new());
    with_org.organisation = Some(nijmegen());
    assert!(join(with_org).is_err());
    let mut professional_with_relation =
        professional(ParticipantRole::CaseManager, OrgId::Agb(provider()));
    professional_with_relation.relation = Some(text("broer"));
    assert!(join(professional_with_relation).is_err());
    let mut orphan = professional(ParticipantRole::CaseManager, OrgId::Agb(provider()));
    orphan.organisation = None;
    assert!(join(orphan).is_err());
}

#[test]
fn a_recipient_sees_its_contacts_and_its_own_people_and_a_naaste_only_when_named() {
    let provider_org = OrgId::Agb(provider());
    let other: OrgId = "agb:87654321".parse().expect("org");
    let clinician = join(professional(
        ParticipantRole::TreatingClinician,
        provider_org,
    ))
    .expect("joins");
    let peer = join(professional(ParticipantRole::PeerExpert, provider_org)).expect("joins");
    let wijkteam = join(professional(ParticipantRole::WmoConsultant, nijmegen())).expect("joins");
    let sister = join(naaste(vec![nijmegen()])).expect("joins");
    let open = Situation::referral(ReferralStatus::Received, true);
    let accepted = Situation::referral(ReferralStatus::Accepted, true);
    let closed = Situation::referral(ReferralStatus::Completed, true);
    let withdrawn = Situation::referral(ReferralStatus::Accepted, false);
    let sees = |p: &Participant, org: OrgId, s: Situation| p.seen_by(org, provider_org, s);
    let full = Some(Seen { contact: true });
    assert_eq!(sees(&clinician, nijmegen(), open), full);
    assert_eq!(
        sees(&clinician, nijmegen(), withdrawn),
        None,
        "consent withdrawn"
    );
    assert_eq!(
        sees(&clinician, nijmegen(), closed),
        None,
        "referral closed"
    );
    assert_eq!(sees(&peer, nijmegen(), accepted), None, "not its contact");
    assert_eq!(sees(&wijkteam, nijmegen(), withdrawn), full, "its own");
    assert_eq!(sees(&wijkteam, other, accepted), None);
    assert_eq!(
        sees(&sister, nijmegen(), open),
        Some(Seen { contact: false }),
        "named: present, her contact not yet"
    );
    assert_eq!(
        sees(&sister, nijmegen(), accepted),
        full,
        "accepted: her contact"
    );
    assert_eq!(
        sees(&sister, nijmegen(), withdrawn),
        None,
        "consent withdrawn"
    );
    assert_eq!(sees(&sister, nijmegen(), closed), None, "referral closed");
    assert_eq!(sees(&sister, other, accepted), None, "not named");
    assert_eq!(
        sees(&sister, provider_org, closed),
        full,
        "the provider's own record"
    );
}

#[test]
fn participants_leave_once_and_not_before_they_joined() {
    let mut p = join(professional(
        ParticipantRole::CaseManager,
        OrgId::Agb(provider()),
    ))
    .expect("joins");
    assert!(p.leave(date(2026, 10, 1), at(2026, 12, 1)).is_err());
    assert!(
        p.leave(date(2026, 12, 5), at(2026, 12, 1)).is_err(),
        "not in the future"
    );
    p.leave(date(2026, 11, 30), at(2026, 12, 1))
        .expect("leaves");
    assert!(!p.is_current());
    assert!(
        p.leave(date(2026, 11, 30), at(2026, 12, 1)).is_err(),
        "once"
    );
}

#[test]
fn a_postponed_meeting_stays_planned_and_a_held_one_is_final() {
    let mut m = Meeting::plan(
        MeetingId::new_at(at(2026, 12, 1)),
        ReferralId::new_at(at(2026, 12, 1)),
        TrajectoryId::new_at(at(2026, 12, 1)),
        at(2026, 12, 3),
        Vec::new(),
        actor(nijmegen()),
        at(2026, 12, 1),
    );
    assert!(
        m.record(HandoffOutcome::Held, actor(nijmegen()), at(2026, 12, 2))
            .is_err(),
        "not yet"
    );
    m.record(
        HandoffOutcome::Postponed {
            to: at(2026, 12, 3) + Duration::days(7),
        },
        actor(nijmegen()),
        at(2026, 12, 2),
    )
    .expect("postponed");
    assert_eq!(m.status, MeetingStatus::Planned);
    assert!(m.counts());
    m.record(HandoffOutcome::Held, actor(nijmegen()), at(2026, 12, 11))
        .expect("held");
    assert_eq!(m.status, MeetingStatus::Held);
    assert!(matches!(
        m.record(HandoffOutcome::Held, actor(nijmegen()), at(2026, 12, 12)),
        Err(TeamError::MeetingClosed { .. })
    ));
}
