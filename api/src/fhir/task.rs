//! Referrals as FHIR `Task` (after the HL7 Gravity closed-loop referral and Nictiz
//! eOverdracht): read and search, each party seeing what its `/v1` view shows.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use herstelbrug_domain::fhir::{TaskStatus, referral_statuses, task_status};
use herstelbrug_domain::{
    ClientRef, Disclosure, IdentifiedKind, Identifier, OrgId, ReferralId, TrajectoryId,
};
use herstelbrug_persistence::{ReferralRecord, ReferralSearch, TrajectoryFilter, Visibility};
use serde_json::{Value, json};

use super::outcome::{FhirCaller, FhirError, logical_id};
use super::reference::{self, coding, concept, instant, organisation};
use super::search::{Params, SearchParam, codes};
use super::{bundle, read_answer, respond};
use crate::auth::policy;
use crate::http::access_log;
use crate::referral::dto::system_cancellation;
use crate::state::AppState;

/// Task's own search parameters.
pub const SEARCH: [SearchParam; 3] = [
    SearchParam {
        name: "status",
        kind: "token",
        documentation: "Task status codes, comma-separated; see the mapping in the README.",
    },
    SearchParam {
        name: "owner",
        kind: "reference",
        documentation: "The recipient: our organisation id (gemeente:0268), or with :identifier a system|value.",
    },
    SearchParam {
        name: "requester",
        kind: "reference",
        documentation: "The referring provider: our organisation id (agb:12345678), or with :identifier a system|value.",
    },
];

/// `GET /fhir/Task/{rid}`.
pub async fn read(
    caller: FhirCaller,
    state: web::Data<AppState>,
    req: HttpRequest,
    rid: web::Path<String>,
) -> Result<HttpResponse, FhirError> {
    let org = policy::referral_party(&caller.0)?;
    let id = logical_id(&rid)?;
    let record = state
        .referrals
        .get(ReferralId::from_uuid(id), org, state.clock.now())
        .await?;
    let mut tasks = tasks(&state, org, vec![record]).await?;
    access_log::disclosed(&req, disclosed(&tasks));
    let task = tasks.pop().map(|(_, t)| t).unwrap_or(Value::Null);
    Ok(read_answer(&req, &task))
}

/// `GET /fhir/Task?…`.
pub async fn search(
    caller: FhirCaller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, FhirError> {
    let org = policy::referral_party(&caller.0)?;
    let params = Params::parse(&req, &SEARCH)?;
    let statuses = match params.any_of("status")? {
        None => None,
        Some(values) => {
            let wanted = codes("status", &values, str::parse::<TaskStatus>)?;
            Some(
                wanted
                    .into_iter()
                    .flat_map(referral_statuses)
                    .collect::<Vec<_>>(),
            )
        }
    };
    let query = ReferralSearch {
        ids: params
            .ids()?
            .map(|ids| ids.into_iter().map(ReferralId::from_uuid).collect()),
        identifier: params.identifier()?,
        recipient: params.organisation("owner")?,
        requester: params.organisation("requester")?,
        statuses,
        updated: params.updated()?,
        after: params.cursor()?.map(ReferralId::from_uuid),
        limit: params.count()?,
    };
    // A status none of ours maps to (draft, on-hold …) matches nothing: no query needed.
    let page = match &query.statuses {
        Some(statuses) if statuses.is_empty() => None,
        _ => Some(
            state
                .referrals
                .search(org, &query, state.clock.now())
                .await?,
        ),
    };
    let (records, next) = page.map_or((Vec::new(), None), |p| (p.items, p.next));
    let tasks = tasks(&state, org, records).await?;
    access_log::disclosed(&req, disclosed(&tasks));
    let resources = tasks.into_iter().map(|(_, t)| t).collect();
    let bundle = bundle::searchset(&req, &params, resources, next.map(|n| n.as_uuid()));
    Ok(respond(StatusCode::OK, &bundle))
}

/// The trajectories whose data the Tasks show.
fn disclosed(tasks: &[(uuid::Uuid, Value)]) -> Vec<uuid::Uuid> {
    tasks.iter().map(|(trajectory, _)| *trajectory).collect()
}

/// The Tasks of `records` as `viewer` sees them, each with its trajectory: the
/// viewer's identifiers and, for the requester, the client references in one query each.
async fn tasks(
    state: &AppState,
    viewer: OrgId,
    records: Vec<ReferralRecord>,
) -> Result<Vec<(uuid::Uuid, Value)>, FhirError> {
    let ids: Vec<uuid::Uuid> = records.iter().map(|r| r.referral.id.as_uuid()).collect();
    let identifiers = state
        .identifiers
        .of_each(viewer, IdentifiedKind::Referral, &ids)
        .await?;
    let clients = match viewer {
        OrgId::Agb(provider) => client_refs(state, provider, &records).await?,
        _ => HashMap::new(),
    };
    Ok(records
        .iter()
        .map(|record| {
            let r = &record.referral;
            let own = reference::own(&identifiers, r.id.as_uuid());
            (
                r.trajectory_id.as_uuid(),
                task(record, viewer, own, clients.get(&r.trajectory_id)),
            )
        })
        .collect())
}

/// The requester's client references of the referrals' trajectories.
async fn client_refs(
    state: &AppState,
    provider: herstelbrug_domain::AgbCode,
    records: &[ReferralRecord],
) -> Result<HashMap<TrajectoryId, ClientRef>, FhirError> {
    let mine: Vec<TrajectoryId> = records
        .iter()
        .filter(|r| r.referral.requester == provider)
        .map(|r| r.referral.trajectory_id)
        .collect();
    if mine.is_empty() {
        return Ok(HashMap::new());
    }
    let filter = TrajectoryFilter {
        limit: mine.len() as u64,
        ids: Some(mine),
        ..TrajectoryFilter::default()
    };
    let page = state
        .trajectories
        .list(Visibility::Provider(provider), &filter)
        .await?;
    Ok(page
        .items
        .into_iter()
        .map(|t| (t.id, t.client_ref))
        .collect())
}

/// One referral as a Task, as `viewer` (its requester or its recipient) may see it.
pub(crate) fn task(
    record: &ReferralRecord,
    viewer: OrgId,
    identifiers: &[Identifier],
    client_ref: Option<&ClientRef>,
) -> Value {
    let r = &record.referral;
    let requester = OrgId::Agb(r.requester);
    let as_requester = viewer == requester;
    let shown = if as_requester {
        Disclosure {
            identity: true,
            request: true,
            contact: true,
            professional: true,
        }
    } else {
        Disclosure::for_recipient(r.status, record.consent_holds)
    };
    let mut task = json!({
        "resourceType": "Task",
        "id": r.id.as_uuid().to_string(),
        "meta": reference::meta(r.version, r.updated_at),
        "status": task_status(r.status).as_str(),
        "businessStatus": concept("referral-status", r.status.as_str()),
        "intent": "order",
        "code": concept("referral-kind", r.kind.as_str()),
        "authoredOn": instant(r.requested_at),
        "lastModified": instant(r.updated_at),
        "requester": organisation(requester),
        "owner": organisation(r.recipient),
    });
    if !identifiers.is_empty() {
        task["identifier"] = Value::Array(reference::identifiers(identifiers));
    }
    if let Some(service) = r.service {
        task["focus"] = json!({
            "reference": format!("HealthcareService/{}", service.as_uuid()),
            "type": "HealthcareService",
        });
    }
    if let Some(beneficiary) = beneficiary(record, as_requester, shown, client_ref) {
        task["for"] = beneficiary;
    }
    if shown.request {
        // The codes in plain Dutch, then the words, where given.
        let parts: Vec<String> = [
            (!r.life_domains.is_empty()).then(|| {
                format!(
                    "Hulp bij: {}",
                    herstelbrug_domain::LifeDomain::describe(&r.life_domains)
                )
            }),
            r.needs.as_ref().map(|n| n.as_str().to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect();
        task["description"] = Value::String(parts.join(". "));
    }
    let mut period = serde_json::Map::new();
    if let Some(start) = r.started_on {
        period.insert("start".to_owned(), Value::String(start.to_string()));
    }
    if let Some(end) = r.ended_on {
        period.insert("end".to_owned(), Value::String(end.to_string()));
    }
    if !period.is_empty() {
        task["executionPeriod"] = Value::Object(period);
    }
    if let Some(reason) = status_reason(record, as_requester) {
        task["statusReason"] = reason;
    }
    task
}

/// `Task.for`: the requester's own client reference; the recipient only the name, and
/// only while consent and status allow. Never the BSN.
fn beneficiary(
    record: &ReferralRecord,
    as_requester: bool,
    shown: Disclosure,
    client_ref: Option<&ClientRef>,
) -> Option<Value> {
    let r = &record.referral;
    let name = r
        .client
        .name
        .as_ref()
        .filter(|_| shown.identity)
        .map(|n| n.as_str().to_owned());
    let mut patient = json!({"type": "Patient"});
    if as_requester && let Some(client_ref) = client_ref {
        patient["identifier"] = json!({
            "system": reference::CLIENT_REF_SYSTEM,
            "value": client_ref.as_str(),
            "assigner": organisation(OrgId::Agb(r.requester)),
        });
    }
    if let Some(name) = name {
        patient["display"] = Value::String(name);
    }
    (patient.as_object().map_or(0, serde_json::Map::len) > 1).then_some(patient)
}

/// `Task.statusReason`: the rejection code, and the words as the `/v1` view shows them.
fn status_reason(record: &ReferralRecord, as_requester: bool) -> Option<Value> {
    let r = &record.referral;
    let text = if as_requester {
        r.status_reason.as_ref().map(|t| t.as_str().to_owned())
    } else {
        system_cancellation(r)
    };
    let mut reason = serde_json::Map::new();
    if let Some(code) = r.rejection {
        reason.insert(
            "coding".to_owned(),
            json!([coding("rejection-reason", code.as_str())]),
        );
    }
    if let Some(text) = text {
        reason.insert("text".to_owned(), Value::String(text));
    }
    (!reason.is_empty()).then_some(Value::Object(reason))
}
