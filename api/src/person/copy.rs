//! An electronic copy of what Herstelbrug holds about the client (Wabvpz art. 15d):
//! `GET /v1/me/copy` as JSON, and `GET /v1/me/copy/fhir` as a FHIR Bundle of what the FHIR
//! views cover (EpisodeOfCare and Task). It is a surface like any other and follows the
//! disclosure table's client column: no text professionals wrote to each other and no
//! staff member's identity (those the treating provider answers from its own record).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_domain::OrgId;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{PersonFile, Stand};
use serde_json::{Value, json};

use crate::auth::person::PersonPrincipal;
use crate::error::ApiError;
use crate::fhir::audit_event::collection;
use crate::fhir::{episode_of_care, task};
use crate::http::access_log;
use crate::person::view;
use crate::state::AppState;

fn text(value: Option<&herstelbrug_domain::BoundedText>) -> Value {
    value.map_or(Value::Null, |t| Value::String(t.as_str().to_owned()))
}

fn trajectory_copy(stand: &Stand, file: &PersonFile, today: chrono::NaiveDate) -> Value {
    let t = &stand.trajectory;
    json!({
        "trajectory": {
            "id": t.id.as_uuid(),
            "client_ref": t.client_ref.as_str(),
            "treating_provider": t.treating_provider.to_string(),
            "municipality": t.municipality.to_string(),
            "phase": t.phase.as_str(),
            "started_on": t.started_on,
            "phase_since": t.phase_since,
            "planned_end_on": t.planned_end_on,
            "treatment_ended_on": t.treatment_ended_on,
            "end_reason": t.end_reason.map(|r| r.as_str()),
            "closure_outcome": t.closure_outcome.map(|o| o.as_str()),
            "readmission": t.readmission,
        },
        "as_shown": view::trajectory(stand, file),
        "referrals": file.overview.referrals.iter().map(|record| {
            let r = &record.referral;
            json!({
                "id": r.id.as_uuid(),
                "to": r.recipient.to_string(),
                "kind": r.kind.as_str(),
                "status": r.status.as_str(),
                "needs": text(r.needs.as_ref()),
                "life_domains": r.life_domains.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
                "requested_start_on": r.requested_start_on,
                "client": {
                    "name": text(r.client.name.as_ref()),
                    "phone": text(r.client.phone.as_ref()),
                    "email": text(r.client.email.as_ref()),
                    "address": text(r.client.address.as_ref()),
                },
                "requested_at": r.requested_at,
                "decided_at": r.decided_at,
                "planned_start_on": r.planned_start_on,
                "started_on": r.started_on,
                "ended_on": r.ended_on,
                "rejection": r.rejection.map(|x| x.as_str()),
                "shared_with_consent": record.consent_holds,
            })
        }).collect::<Vec<_>>(),
        "team": file.overview.team.iter().map(|p| json!({
            "role": p.role.as_str(),
            "name": p.name.as_str(),
            "organisation": p.organisation.map(|o| o.to_string()),
            "phone": text(p.phone.as_ref()),
            "email": text(p.email.as_ref()),
            "relation": text(p.relation.as_ref()),
            "joined_on": p.joined_on,
        })).collect::<Vec<_>>(),
        "consents": file.consents.iter().map(|c| view::consent(c, today)).collect::<Vec<_>>(),
        // Every step: when, what, and the organisation (or person role) that took it; not
        // the staff member, nor the words written with it.
        // Alert steps keep the rule they are about (a code, never words).
        "history": file.overview.timeline.iter().map(|s| json!({
            "at": s.at,
            "kind": s.kind,
            "referral_id": s.referral_id.map(|r| r.as_uuid()),
            "rule": s.detail.get("rule"),
            "by": s.by.as_ref().map(|(_, org)| org),
        })).collect::<Vec<_>>(),
    })
}

async fn files(
    state: &AppState,
    person: &PersonPrincipal,
) -> Result<Vec<(Stand, PersonFile)>, ApiError> {
    let now = state.clock.now();
    let mut out = Vec::new();
    for stand in state.persons.trajectories(&person.key).await? {
        if !stand.standing.steers() {
            continue;
        }
        let file = state
            .persons
            .file(&stand.trajectory, &state.catalog, now)
            .await?;
        out.push((stand, file));
    }
    Ok(out)
}

fn download(name: &str, content_type: &str, body: &Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// Download a copy of my data.
///
/// Everything Herstelbrug holds about the client's trajectories (as client or
/// representative): the trajectory, referrals with what was asked and decided, the
/// people involved, consents and every step. The access overview is `read_my_access_log`.
#[utoipa::path(
    operation_id = "download_my_copy",
    tag = "me",
    responses(
        (status = 200, description = "The copy, as a download", body = Object),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[get("/me/copy")]
pub async fn copy(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let files = files(&state, &person).await?;
    access_log::disclosed(&req, files.iter().map(|(s, _)| s.trajectory.id.as_uuid()));
    let now = state.clock.now();
    let body = json!({
        "made_at": now,
        "about": "Een kopie van alle gegevens die Herstelbrug over u bewaart (Wabvpz art. 15d).",
        "trajectories": files
            .iter()
            .map(|(s, f)| trajectory_copy(s, f, now.date_naive()))
            .collect::<Vec<_>>(),
    });
    Ok(download(
        "herstelbrug-kopie.json",
        "application/json",
        &body,
    ))
}

/// Download a copy of my data as FHIR.
///
/// What the FHIR views cover: each trajectory as an `EpisodeOfCare` and each referral as
/// a `Task`, in a FHIR R4 `collection` Bundle.
#[utoipa::path(
    operation_id = "download_my_fhir_copy",
    tag = "me",
    responses(
        (status = 200, description = "The copy as a FHIR Bundle", content_type = "application/fhir+json",
            body = Object),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[get("/me/copy/fhir")]
pub async fn copy_fhir(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let files = files(&state, &person).await?;
    access_log::disclosed(&req, files.iter().map(|(s, _)| s.trajectory.id.as_uuid()));
    let mut resources = Vec::new();
    for (stand, file) in &files {
        let t = &stand.trajectory;
        resources.push(episode_of_care::episode(t, &[]));
        for record in &file.overview.referrals {
            let requester = OrgId::Agb(record.referral.requester);
            resources.push(task::task(record, requester, &[], Some(&t.client_ref)));
        }
    }
    Ok(download(
        "herstelbrug-kopie.fhir.json",
        "application/fhir+json",
        &collection(resources),
    ))
}
