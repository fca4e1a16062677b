//! The client's naasten: `GET /v1/me/trajectories/{id}/naasten` lists who follows the path
//! and the open invitations; the client invites a naaste taking part (with her
//! involvement consent) at level `contact` or `follow`, and revokes one or all at once.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web};
use herstelbrug_domain::ParticipantId;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{InvitationFor, NewInvitation};

use crate::auth::person::PersonPrincipal;
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::person::code::{code_hash, fresh_code};
use crate::person::dto::{InvitationView, InviteNaasteRequest, LinkView, NaastenView};
use crate::person::view::{invitation_view, link_view};
use crate::person::{steering, view};
use crate::state::AppState;

/// Read my naasten.
///
/// Every naaste linked to the trajectory (also revoked links) and the naaste invitations
/// with their status; codes are never shown again.
#[utoipa::path(
    operation_id = "list_my_naasten",
    tag = "me",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The naasten's links (also revoked ones) and invitations", body = NaastenView),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the client sees this",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a trajectory of this person",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[get("/me/trajectories/{id}/naasten")]
pub async fn list(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let stand = steering(&state, &person, &id).await?;
    let t = &stand.trajectory;
    let now = state.clock.now();
    let links = state.persons.naasten(t.id).await?;
    let invitations = state.persons.invitations(t.id, "naaste", None).await?;
    Ok(HttpResponse::Ok().json(NaastenView {
        links: links
            .iter()
            .map(|(link, name)| link_view(link, name.clone()))
            .collect(),
        invitations: invitations
            .iter()
            .map(|i| invitation_view(i, now, None))
            .collect(),
    }))
}

/// Invite a naaste.
///
/// For a naaste who takes part in the trajectory with the client's involvement consent: a
/// one-time code she redeems after signing in as herself. `contact`: who to call and the
/// meetings she is invited to; `follow`: also the steps and the referrals. Never medical
/// content, never free text.
#[utoipa::path(
    operation_id = "invite_my_naaste",
    tag = "me",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    request_body = InviteNaasteRequest,
    responses(
        (status = 201, description = "The invitation, with its code (shown only now)", body = InvitationView),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the client invites naasten",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a trajectory of this person",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a naaste taking part with consent, or an unknown level",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[post("/me/trajectories/{id}/naasten/invitations")]
pub async fn invite(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<InviteNaasteRequest>,
) -> Result<HttpResponse, ApiError> {
    let stand = steering(&state, &person, &id).await?;
    let level = view::level(&body.level)?;
    let code = fresh_code()?;
    let now = state.clock.now();
    let parts = audit.prepare(
        person.actor(stand.standing.role()),
        StatusCode::CREATED,
        None,
    );
    let new = NewInvitation {
        trajectory_id: stand.trajectory.id,
        purpose: InvitationFor::Naaste {
            participant: ParticipantId::from_uuid(body.participant_id),
            level,
        },
        code_hash: code_hash(&code),
        provider: None,
    };
    let record = state.persons.invite(new, parts.context(now)).await?;
    audit.committed();
    Ok(HttpResponse::Created().json(invitation_view(&record, now, Some(&code))))
}

/// Revoke one naaste's access.
///
/// She no longer sees the trajectory from the next request on; her participation in the
/// team is not changed.
#[utoipa::path(
    operation_id = "revoke_my_naaste",
    tag = "me",
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("lid" = uuid::Uuid, Path, description = "The naaste's link id"),
    ),
    responses(
        (status = 200, description = "Revoked (also when it was already)", body = Vec<LinkView>),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the client revokes naasten",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such link on a trajectory of this person",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[delete("/me/trajectories/{id}/naasten/{lid}")]
pub async fn revoke_one(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    audit: Audit,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, lid) = path.into_inner();
    let stand = steering(&state, &person, &id).await?;
    let lid: uuid::Uuid = lid.parse().map_err(|_| ApiError::NotFound)?;
    revoke(&state, &audit, &person, &stand, Some(lid)).await
}

/// Revoke every naaste's access at once.
///
/// Every link and every open naaste invitation of the trajectory, in one step.
#[utoipa::path(
    operation_id = "revoke_all_my_naasten",
    tag = "me",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The links revoked now", body = Vec<LinkView>),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the client revokes naasten",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a trajectory of this person",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[delete("/me/trajectories/{id}/naasten")]
pub async fn revoke_all(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    audit: Audit,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let stand = steering(&state, &person, &id).await?;
    revoke(&state, &audit, &person, &stand, None).await
}

async fn revoke(
    state: &AppState,
    audit: &Audit,
    person: &PersonPrincipal,
    stand: &herstelbrug_persistence::Stand,
    link: Option<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let parts = audit.prepare(person.actor(stand.standing.role()), StatusCode::OK, None);
    let revoked = state
        .persons
        .revoke_naasten(stand.trajectory.id, link, parts.context(now))
        .await?;
    audit.committed();
    Ok(HttpResponse::Ok().json(
        revoked
            .iter()
            .map(|l| link_view(l, None))
            .collect::<Vec<LinkView>>(),
    ))
}
