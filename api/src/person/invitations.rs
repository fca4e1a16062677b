//! The treating provider's invitations for the client: `POST /v1/trajectories/{id}/invitations`
//! makes a one-time code (shown once, stored hashed, valid six weeks) for a trajectory
//! registered without a BSN; list and revoke them.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{InvitationFor, NewInvitation};

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::person::code::{code_hash, fresh_code};
use crate::person::dto::{InvitationList, InvitationView};
use crate::person::view::invitation_view;
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Invite the client.
///
/// A one-time code that links the client to this trajectory when they redeem it after
/// signing in (for a trajectory registered without a BSN; with a BSN the client is found
/// by it). Shown only in this answer; valid six weeks; one use; revocable.
#[utoipa::path(
    operation_id = "invite_client",
    tag = "trajectories",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 201, description = "The invitation, with its code", body = InvitationView),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/invitations")]
pub async fn create(
    principal: Principal,
    state: web::Data<AppState>,
    audit: Audit,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let id = trajectory_id(&id)?;
    let code = fresh_code()?;
    let now = state.clock.now();
    let parts = audit.prepare(actor, StatusCode::CREATED, None);
    let new = NewInvitation {
        trajectory_id: id,
        purpose: InvitationFor::Client,
        code_hash: code_hash(&code),
        provider: Some(provider),
    };
    let record = state.persons.invite(new, parts.context(now)).await?;
    audit.committed();
    Ok(HttpResponse::Created().json(invitation_view(&record, now, Some(&code))))
}

/// List the client's invitations.
///
/// Every client invitation of the trajectory with its status (open, redeemed, revoked,
/// expired), newest first; codes are never shown again.
#[utoipa::path(
    operation_id = "list_client_invitations",
    tag = "trajectories",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "Newest first, without codes", body = InvitationList),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/invitations")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let id = trajectory_id(&id)?;
    let now = state.clock.now();
    let items = state
        .persons
        .invitations(id, "client", Some(provider))
        .await?;
    Ok(HttpResponse::Ok().json(InvitationList {
        items: items
            .iter()
            .map(|r| invitation_view(r, now, None))
            .collect(),
    }))
}

/// Revoke a client invitation.
///
/// An open invitation stops working at once; a used, revoked or expired one answers 409.
#[utoipa::path(
    operation_id = "revoke_client_invitation",
    tag = "trajectories",
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("iid" = uuid::Uuid, Path, description = "The invitation id"),
    ),
    responses(
        (status = 200, description = "Revoked", body = InvitationView),
        (status = 404, description = "No such invitation on a trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already used, revoked or expired",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/invitations/{iid}/revoke")]
pub async fn revoke(
    principal: Principal,
    state: web::Data<AppState>,
    audit: Audit,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let (id, iid) = path.into_inner();
    let id = trajectory_id(&id)?;
    let iid: uuid::Uuid = iid.parse().map_err(|_| ApiError::NotFound)?;
    let now = state.clock.now();
    let parts = audit.prepare(actor, StatusCode::OK, None);
    let record = state
        .persons
        .revoke_invitation(id, iid, Some(provider), parts.context(now))
        .await?;
    audit.committed();
    Ok(HttpResponse::Ok().json(invitation_view(&record, now, None)))
}
