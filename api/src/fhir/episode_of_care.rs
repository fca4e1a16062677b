//! Trajectories as FHIR `EpisodeOfCare`: the client's path from treatment to support in
//! the social domain, read by the treating provider (and administrators).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use herstelbrug_domain::fhir::{EpisodeStatus, episode_status, phases};
use herstelbrug_domain::{IdentifiedKind, Identifier, OrgId, Phase, Trajectory, TrajectoryId};
use herstelbrug_persistence::TrajectoryFilter;
use serde_json::{Value, json};

use super::outcome::{FhirCaller, FhirError, logical_id};
use super::reference::{self, concept, organisation};
use super::search::{Params, SearchParam, codes};
use super::{bundle, read_answer, respond};
use crate::auth::policy;
use crate::http::access_log;
use crate::state::AppState;

/// EpisodeOfCare's own search parameters.
pub const SEARCH: [SearchParam; 1] = [SearchParam {
    name: "status",
    kind: "token",
    documentation: "EpisodeOfCare status codes, comma-separated: active (treatment, transition, social support) or finished (closed).",
}];

/// `GET /fhir/EpisodeOfCare/{id}`.
pub async fn read(
    caller: FhirCaller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, FhirError> {
    let visibility = policy::trajectory_readers(&caller.0)?;
    let id = logical_id(&id)?;
    let trajectory = state
        .trajectories
        .get(TrajectoryId::from_uuid(id), visibility)
        .await?;
    let identifiers = state
        .identifiers
        .of_each(caller.0.org, IdentifiedKind::Trajectory, &[id])
        .await?;
    access_log::disclosed(&req, [id]);
    Ok(read_answer(
        &req,
        &episode(&trajectory, reference::own(&identifiers, id)),
    ))
}

/// `GET /fhir/EpisodeOfCare?…`.
pub async fn search(
    caller: FhirCaller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, FhirError> {
    let visibility = policy::trajectory_readers(&caller.0)?;
    let params = Params::parse(&req, &SEARCH)?;
    let phases = match params.any_of("status")? {
        None => None,
        Some(values) => Some(
            codes("status", &values, str::parse::<EpisodeStatus>)?
                .into_iter()
                .flat_map(phases)
                .collect::<Vec<Phase>>(),
        ),
    };
    let filter = TrajectoryFilter {
        ids: params
            .ids()?
            .map(|ids| ids.into_iter().map(TrajectoryId::from_uuid).collect()),
        identifier: params.identifier()?.map(|i| (caller.0.org, i)),
        updated: params.updated()?,
        after: params.cursor()?.map(TrajectoryId::from_uuid),
        limit: params.count()?,
        phases,
        ..TrajectoryFilter::default()
    };
    let (items, next) = match &filter.phases {
        Some(phases) if phases.is_empty() => (Vec::new(), None),
        _ => {
            let page = state.trajectories.list(visibility, &filter).await?;
            (page.items, page.next)
        }
    };
    let ids: Vec<uuid::Uuid> = items.iter().map(|t| t.id.as_uuid()).collect();
    let identifiers = state
        .identifiers
        .of_each(caller.0.org, IdentifiedKind::Trajectory, &ids)
        .await?;
    access_log::disclosed(&req, ids);
    let resources = items
        .iter()
        .map(|t| episode(t, reference::own(&identifiers, t.id.as_uuid())))
        .collect();
    let bundle = bundle::searchset(&req, &params, resources, next.map(|n| n.as_uuid()));
    Ok(respond(StatusCode::OK, &bundle))
}

/// One trajectory as an EpisodeOfCare; the patient is the provider's own pseudonymous
/// client reference, never the BSN.
pub(crate) fn episode(t: &Trajectory, identifiers: &[Identifier]) -> Value {
    let provider = OrgId::Agb(t.treating_provider);
    let mut period = json!({"start": t.started_on.to_string()});
    if t.phase == Phase::Closed {
        period["end"] = Value::String(t.phase_since.to_string());
    }
    let mut episode = json!({
        "resourceType": "EpisodeOfCare",
        "id": t.id.as_uuid().to_string(),
        "meta": reference::meta(t.version, t.updated_at),
        "status": episode_status(t.phase).as_str(),
        "type": [concept("trajectory-phase", t.phase.as_str())],
        "patient": {
            "type": "Patient",
            "identifier": {
                "system": reference::CLIENT_REF_SYSTEM,
                "value": t.client_ref.as_str(),
                "assigner": organisation(provider),
            },
        },
        "managingOrganization": organisation(provider),
        "period": period,
    });
    if !identifiers.is_empty() {
        episode["identifier"] = Value::Array(reference::identifiers(identifiers));
    }
    episode
}
