//! A person's view of one trajectory, built from its file through the disclosure table:
//! each part is shown only where the person's column (client, naaste at `contact` or at
//! `follow`) allows the field it carries.

use chrono::NaiveDate;
use herstelbrug_domain::catalog::Measured;
use herstelbrug_domain::continuity::Rule;
use herstelbrug_domain::disclosure::{Field, Situation, may_see};
use herstelbrug_domain::person::invitation::InvitationCode;
use herstelbrug_domain::person::{NaasteLevel, Standing};
use herstelbrug_domain::team::{Participant, ParticipantRole};
use herstelbrug_domain::{Affiliation, Consent, OrgId, Trajectory};
use herstelbrug_persistence::{
    CatalogEntry, InvitationFor, InvitationRecord, LinkRecord, PersonFile, Stand,
};

use crate::person::dto::{
    Coded, GapView, InvitationView, InvolvedView, LinkView, MyConsentView, MyMeetingView,
    MyReferralView, MyServiceView, MyStepView, MyTrajectorySummary, MyTrajectoryView, NaasteView,
    OrgLabel,
};
use crate::person::words;

/// Whether a person in `standing` sees `field`: their column of the one table.
pub fn sees(standing: Standing, field: Field) -> bool {
    // The person columns hold `always` or `never`; the situation does not change them.
    may_see(standing.party(), field, Situation::trajectory(true))
}

pub fn organisation(org: OrgId) -> OrgLabel {
    OrgLabel {
        id: org.to_string(),
        label: words::organisation(org),
    }
}

pub fn standing_code(standing: Standing) -> (String, Option<String>) {
    let level = match standing {
        Standing::Naaste(level) => Some(level.as_str().to_owned()),
        Standing::Client | Standing::Representative(_) => None,
    };
    (standing.role().as_str().to_owned(), level)
}

fn coded(code: &str, label: &str) -> Coded {
    Coded {
        code: code.to_owned(),
        label: label.to_owned(),
    }
}

fn phase(t: &Trajectory) -> Coded {
    coded(t.phase.as_str(), words::phase(t.phase))
}

pub fn summary(stand: &Stand) -> MyTrajectorySummary {
    let (standing, level) = standing_code(stand.standing);
    let t = &stand.trajectory;
    MyTrajectorySummary {
        id: t.id.as_uuid(),
        standing,
        level,
        phase: phase(t),
        started_on: t.started_on,
        treated_by: organisation(OrgId::Agb(t.treating_provider)),
    }
}

fn role(role: ParticipantRole) -> &'static str {
    match role {
        ParticipantRole::TreatingClinician => "Behandelaar",
        ParticipantRole::CaseManager => "Casemanager",
        ParticipantRole::PeerExpert => "Ervaringsdeskundige",
        ParticipantRole::WmoConsultant => "Consulent van de gemeente",
        ParticipantRole::GeneralPractitioner => "Huisarts",
        ParticipantRole::Relative => "Naaste",
    }
}

fn text(value: Option<&herstelbrug_domain::BoundedText>) -> Option<String> {
    value.map(|t| t.as_str().to_owned())
}

fn involved(p: &Participant) -> InvolvedView {
    InvolvedView {
        name: p.name.as_str().to_owned(),
        role: role(p.role).to_owned(),
        organisation: p.organisation.map(organisation),
        phone: text(p.phone.as_ref()),
        email: text(p.email.as_ref()),
    }
}

fn waiting(entry: &CatalogEntry) -> MyServiceView {
    let median = |m: Measured| match m {
        Measured::Figure(f) => Some(f.median_days),
        Measured::InsufficientData => None,
    };
    let to_acceptance = median(entry.waiting.to_acceptance);
    let within_norm = match entry.waiting.to_acceptance {
        Measured::Figure(f) => Some(!f.median_breaks_norm),
        Measured::InsufficientData => None,
    };
    let words = match (to_acceptance, within_norm) {
        (Some(days), Some(true)) => format!(
            "Meestal {} dagen tot de hulp is toegezegd. Dat is binnen de norm van 4 weken.",
            days.round()
        ),
        (Some(days), _) => format!(
            "Meestal {} dagen tot de hulp is toegezegd. Dat is langer dan de norm van 4 weken.",
            days.round()
        ),
        (None, _) => {
            "Hier zijn nog te weinig mensen geholpen om een wachttijd te noemen.".to_owned()
        }
    };
    MyServiceView {
        id: entry.service.id.as_uuid(),
        name: entry.service.details.name.as_str().to_owned(),
        median_days_to_acceptance: to_acceptance,
        median_days_to_start: median(entry.waiting.to_start),
        within_norm,
        waiting: words,
    }
}

/// The trajectory as `stand`'s person may see it.
pub fn trajectory(stand: &Stand, file: &PersonFile) -> MyTrajectoryView {
    let standing = stand.standing;
    let t = &stand.trajectory;
    let (code, level) = standing_code(standing);
    let team = &file.overview.team;
    let involved_people = if sees(standing, Field::ProfessionalContact) {
        team.iter()
            .filter(|p| p.role != ParticipantRole::Relative)
            .map(involved)
            .collect()
    } else {
        Vec::new()
    };
    let naasten = if sees(standing, Field::NaastePresence) {
        team.iter()
            .filter(|p| p.role == ParticipantRole::Relative)
            .map(|p| NaasteView {
                participant_id: p.id.as_uuid(),
                name: p.name.as_str().to_owned(),
                relation: text(p.relation.as_ref()),
            })
            .collect()
    } else {
        Vec::new()
    };
    let referrals = if sees(standing, Field::ClientRequest) {
        file.overview
            .referrals
            .iter()
            .map(|record| {
                let r = &record.referral;
                let (status, next) = words::status(r.status);
                MyReferralView {
                    id: r.id.as_uuid(),
                    to: organisation(r.recipient),
                    kind: coded(r.kind.as_str(), words::kind(r.kind)),
                    needs: text(r.needs.as_ref()),
                    status: coded(r.status.as_str(), status),
                    next_step: next.to_owned(),
                    requested_on: r.requested_at.date_naive(),
                    requested_start_on: r.requested_start_on,
                    planned_start_on: r.planned_start_on,
                    started_on: r.started_on,
                    ended_on: r.ended_on,
                    service: r.service.and_then(|id| {
                        file.services
                            .iter()
                            .find(|e| e.service.id == id)
                            .map(waiting)
                    }),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let meetings = file
        .meetings
        .iter()
        .filter(|m| match standing {
            Standing::Client | Standing::Representative(_) => true,
            // A naaste sees the meetings she is invited to.
            Standing::Naaste(_) => stand
                .participant
                .is_some_and(|me| m.participants.contains(&me)),
        })
        .filter_map(|m| {
            let with = file
                .overview
                .referrals
                .iter()
                .find(|r| r.referral.id == m.referral_id)?
                .referral
                .recipient;
            Some(MyMeetingView {
                id: m.id.as_uuid(),
                referral_id: m.referral_id.as_uuid(),
                planned_at: m.planned_at,
                status: coded(m.status.as_str(), words::meeting(m.status)),
                with: organisation(with),
            })
        })
        .collect();
    let follow_up_gaps = if sees(standing, Field::GapAlert) {
        file.overview
            .open_alerts
            .iter()
            // That nobody reached out after a dropout says why treatment ended: only
            // for those who may see that.
            .filter(|a| {
                a.rule != Rule::DropoutWithoutOutreach || sees(standing, Field::TreatmentEndReason)
            })
            .filter_map(|a| {
                words::gap(a.rule).map(|message| GapView {
                    since: a.opened_at,
                    rule: coded(a.rule.as_str(), message),
                    message: message.to_owned(),
                    told: a.concerns().into_iter().map(organisation).collect(),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let steps = if sees(standing, Field::ClientRequest) {
        file.overview
            .timeline
            .iter()
            .map(|s| step(standing, s))
            .collect()
    } else {
        Vec::new()
    };
    let client_name = file
        .overview
        .referrals
        .iter()
        .rev()
        .find_map(|r| r.referral.client.name.as_ref())
        .filter(|_| sees(standing, Field::ClientName))
        .map(|n| n.as_str().to_owned());
    let end_reason = t
        .end_reason
        .filter(|_| sees(standing, Field::TreatmentEndReason))
        .map(|r| coded(r.as_str(), words::end_reason(r)));
    MyTrajectoryView {
        id: t.id.as_uuid(),
        standing: code,
        level,
        phase: phase(t),
        client_name,
        started_on: t.started_on,
        planned_end_on: t.planned_end_on,
        treatment_ended_on: t.treatment_ended_on,
        end_reason,
        treated_by: organisation(OrgId::Agb(t.treating_provider)),
        involved: involved_people,
        naasten,
        referrals,
        meetings,
        follow_up_gaps,
        steps,
    }
}

/// A step in words: its kind, where it led, and (for an alert about a gap the person may
/// see) its rule; never the words written with it or who among the staff took it.
fn step(standing: Standing, s: &herstelbrug_persistence::Step) -> MyStepView {
    let to_text = s.detail["to"].as_str();
    let to = to_text.and_then(|code| {
        if s.referral_id.is_some() {
            code.parse::<herstelbrug_domain::ReferralStatus>()
                .ok()
                .map(|st| coded(code, words::status(st).0))
        } else {
            code.parse::<herstelbrug_domain::Phase>()
                .ok()
                .map(|p| coded(code, words::phase(p)))
        }
    });
    let rule = s.detail["rule"]
        .as_str()
        .and_then(|code| code.parse::<Rule>().ok())
        .filter(|r| r.is_gap() || *r == Rule::EndApproachingWithoutFollowup)
        .filter(|_| sees(standing, Field::GapAlert))
        .filter(|r| *r != Rule::DropoutWithoutOutreach || sees(standing, Field::TreatmentEndReason))
        .and_then(|r| words::gap(r).map(|w| coded(r.as_str(), w)));
    MyStepView {
        at: s.at,
        what: words::step(&s.kind).to_owned(),
        to,
        referral_id: s.referral_id.map(|r| r.as_uuid()),
        rule,
    }
}

fn recorder(by: Affiliation) -> String {
    match by {
        Affiliation::Person(role) => role.as_str().to_owned(),
        Affiliation::Organisation(_) => "zorgverlener".to_owned(),
    }
}

pub fn consent(c: &Consent, today: NaiveDate) -> MyConsentView {
    let status = match &c.withdrawal {
        Some(_) => "withdrawn",
        None if c.covers(c.organisation, today) => "active",
        None => "expired",
    };
    MyConsentView {
        id: c.id.as_uuid(),
        organisation: organisation(c.organisation),
        purpose: c.purpose.as_str().to_owned(),
        given_on: c.given_on,
        expires_on: c.expires_on,
        status: status.to_owned(),
        recorded_by: recorder(c.recorded_by.org),
        withdrawn_at: c.withdrawal.as_ref().map(|w| w.withdrawn_at),
        withdrawn_by: c.withdrawal.as_ref().map(|w| recorder(w.withdrawn_by.org)),
        version: c.version(),
    }
}

/// The levels a client may give a naaste, for parsing a request.
pub fn level(text: &str) -> Result<NaasteLevel, crate::error::ApiError> {
    text.parse().map_err(|e: herstelbrug_domain::UnknownValue| {
        crate::error::ApiError::Validation(format!("`level`: {e}"))
    })
}

fn parts(purpose: InvitationFor) -> (String, Option<uuid::Uuid>, Option<String>) {
    match purpose {
        InvitationFor::Client => ("client".to_owned(), None, None),
        InvitationFor::Naaste { participant, level } => (
            "naaste".to_owned(),
            Some(participant.as_uuid()),
            Some(level.as_str().to_owned()),
        ),
    }
}

pub fn invitation_view(
    record: &InvitationRecord,
    now: chrono::DateTime<chrono::Utc>,
    code: Option<&InvitationCode>,
) -> InvitationView {
    let (purpose, participant_id, level) = parts(record.purpose);
    InvitationView {
        id: record.id,
        trajectory_id: record.trajectory_id.as_uuid(),
        purpose,
        participant_id,
        level,
        status: record.state.status(now).as_str().to_owned(),
        created_at: record.created_at,
        expires_at: record.state.expires_at,
        code: code.map(InvitationCode::grouped),
    }
}

pub fn link_view(link: &LinkRecord, name: Option<String>) -> LinkView {
    let (standing, participant_id, level) = parts(link.standing);
    LinkView {
        id: link.id,
        trajectory_id: link.trajectory_id.as_uuid(),
        standing,
        level,
        linked_at: link.linked_at,
        revoked_at: link.revoked_at,
        participant_id,
        name,
    }
}
