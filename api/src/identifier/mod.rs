//! External identifiers of trajectories, referrals and services: each organisation reads
//! and replaces its own (`GET`/`PUT …/identifiers`). Handlers check the caller may see
//! the object, then call one store operation.

pub mod dto;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use herstelbrug_domain::{Actor, IdentifiedKind, OrgId};
use herstelbrug_persistence::IdentifiedObject;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::{idempotency, replay};
use crate::identifier::dto::{IdentifierList, parse_set};
use crate::state::AppState;

mod referral;
mod service;
mod trajectory;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(trajectory::read)
        .service(trajectory::replace)
        .service(referral::read)
        .service(referral::replace)
        .service(service::read)
        .service(service::replace);
}

fn object(owner: OrgId, kind: IdentifiedKind, resource: uuid::Uuid) -> IdentifiedObject {
    IdentifiedObject {
        owner,
        kind,
        resource,
    }
}

async fn read(state: &AppState, object: IdentifiedObject) -> Result<HttpResponse, ApiError> {
    let identifiers = state.identifiers.of(object).await?;
    Ok(HttpResponse::Ok().json(IdentifierList::of(&identifiers)))
}

/// What a replacement needs besides the object: who asks, and the request.
struct Replacement<'a> {
    actor: Actor,
    req: &'a HttpRequest,
    audit: Audit,
    body: IdentifierList,
}

async fn replace(
    state: &web::Data<AppState>,
    object: IdentifiedObject,
    replacement: Replacement<'_>,
) -> Result<HttpResponse, ApiError> {
    let Replacement {
        actor,
        req,
        audit,
        body,
    } = replacement;
    let key = idempotency::key_for(req, object.owner, &body)?;
    let identifiers = parse_set("items", &body.items)?;
    let parts = audit.prepare(actor, StatusCode::OK, key);
    let write = parts.context(state.clock.now());
    let outcome = state
        .identifiers
        .replace(object, identifiers, write, &|ids| {
            replay::stored_plain(StatusCode::OK, Some(&IdentifierList::of(ids)), None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
