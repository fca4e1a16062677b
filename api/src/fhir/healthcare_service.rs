//! Catalog services as FHIR `HealthcareService`: public, like the catalog itself.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use herstelbrug_domain::catalog::Service;
use herstelbrug_domain::fhir::{service_active, service_statuses};
use herstelbrug_domain::{IdentifiedKind, Identifier, OrgId, ServiceId};
use herstelbrug_persistence::{CatalogPosition, CatalogQuery};
use serde_json::{Value, json};

use super::outcome::{FhirCaller, FhirError, invalid, logical_id};
use super::reference::{self, concept, organisation, organisation_identifier};
use super::search::{Params, SearchParam};
use super::{bundle, read_answer, respond};
use crate::state::AppState;

/// HealthcareService's own search parameters.
pub const SEARCH: [SearchParam; 2] = [
    SearchParam {
        name: "active",
        kind: "token",
        documentation: "true: services that take clients (status active); false: the others.",
    },
    SearchParam {
        name: "organization",
        kind: "reference",
        documentation: "The owner: our organisation id (gemeente:0268), or with :identifier a system|value.",
    },
];

/// `GET /fhir/HealthcareService/{id}`.
pub async fn read(
    caller: FhirCaller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, FhirError> {
    let id = logical_id(&id)?;
    let entry = state
        .catalog
        .get(ServiceId::from_uuid(id), state.clock.now())
        .await?;
    let identifiers = state
        .identifiers
        .of_each(caller.0.org, IdentifiedKind::Service, &[id])
        .await?;
    Ok(read_answer(
        &req,
        &healthcare_service(&entry.service, reference::own(&identifiers, id)),
    ))
}

/// `GET /fhir/HealthcareService?…`.
pub async fn search(
    caller: FhirCaller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, FhirError> {
    let params = Params::parse(&req, &SEARCH)?;
    let active = match params.one("active")? {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(invalid("active: expected true or false")),
    };
    let owner = params.organisation("organization")?;
    let query = CatalogQuery {
        ids: params
            .ids()?
            .map(|ids| ids.into_iter().map(ServiceId::from_uuid).collect()),
        identifier: params.identifier()?.map(|i| (caller.0.org, i)),
        statuses: active.map(service_statuses),
        owner,
        updated: params.updated()?,
        after: params.cursor()?.map(|id| CatalogPosition { key: None, id }),
        limit: params.count()?,
        ..CatalogQuery::default()
    };
    let (entries, more) = state.catalog.search(&query, state.clock.now()).await?;
    let next = more
        .then(|| entries.last().map(|e| e.service.id.as_uuid()))
        .flatten();
    let ids: Vec<uuid::Uuid> = entries.iter().map(|e| e.service.id.as_uuid()).collect();
    let identifiers = state
        .identifiers
        .of_each(caller.0.org, IdentifiedKind::Service, &ids)
        .await?;
    let resources = entries
        .iter()
        .map(|e| {
            healthcare_service(
                &e.service,
                reference::own(&identifiers, e.service.id.as_uuid()),
            )
        })
        .collect();
    let bundle = bundle::searchset(&req, &params, resources, next);
    Ok(respond(StatusCode::OK, &bundle))
}

/// One catalog service as a HealthcareService.
fn healthcare_service(s: &Service, identifiers: &[Identifier]) -> Value {
    let d = &s.details;
    let mut service = json!({
        "resourceType": "HealthcareService",
        "id": s.id.as_uuid().to_string(),
        "meta": reference::meta(s.version, s.updated_at),
        "active": service_active(d.status),
        "providedBy": organisation(s.owner),
        "type": [concept("referral-kind", d.kind.as_str())],
        "name": d.name.as_str(),
        "coverageArea": d.serves.iter().map(|g| {
            json!({"identifier": organisation_identifier(OrgId::Gemeente(*g)), "display": OrgId::Gemeente(*g).to_string()})
        }).collect::<Vec<_>>(),
        "appointmentRequired": d.eligibility.needs_wmo_decision,
    });
    if !identifiers.is_empty() {
        service["identifier"] = Value::Array(reference::identifiers(identifiers));
    }
    if let Some(description) = &d.description {
        service["comment"] = Value::String(description.as_str().to_owned());
    }
    let telecom: Vec<Value> = [
        ("phone", &d.public_phone),
        ("email", &d.public_email),
        ("url", &d.website),
    ]
    .into_iter()
    .filter_map(|(system, value)| {
        value
            .as_ref()
            .map(|v| json!({"system": system, "value": v.as_str(), "use": "work"}))
    })
    .collect();
    if !telecom.is_empty() {
        service["telecom"] = Value::Array(telecom);
    }
    if !d.languages.is_empty() {
        service["communication"] = Value::Array(
            d.languages
                .iter()
                .map(|l| json!({"coding": [{"system": "urn:ietf:bcp:47", "code": l.as_str()}]}))
                .collect(),
        );
    }
    if let Some(text) = &d.eligibility.description {
        service["eligibility"] = json!([{"comment": text.as_str()}]);
    }
    if let Some(how) = &d.how_to_apply {
        service["extraDetails"] = Value::String(how.as_str().to_owned());
    }
    service
}
