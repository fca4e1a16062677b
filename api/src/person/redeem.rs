//! `POST /v1/me/invitations/redeem`: a person links themselves to a trajectory with a
//! one-time code: as its client (or the client they represent), or as a naaste.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use herstelbrug_domain::person::invitation::InvitationCode;
use herstelbrug_openapi::Problem;

use crate::auth::person::PersonPrincipal;
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::person::code::code_hash;
use crate::person::dto::{LinkView, RedeemRequest};
use crate::person::view::link_view;
use crate::state::AppState;

/// Redeem an invitation code.
///
/// Links the signed-in person to the trajectory the code was made for. The code is sent
/// in the body, never in a URL. Five wrong codes within 15 minutes lock redemption for
/// 15 minutes.
#[utoipa::path(
    operation_id = "redeem_invitation",
    tag = "me",
    request_body = RedeemRequest,
    responses(
        (status = 201, description = "Linked", body = LinkView),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The invitation was used, revoked or has expired, or the person is linked already",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid invitation code",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes: wait as `Retry-After` says",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[post("/me/invitations/redeem")]
pub async fn redeem(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    audit: Audit,
    body: StrictJson<RedeemRequest>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    // A malformed code counts as a wrong one: the lock-out sees every try.
    let hash = InvitationCode::parse(&body.code)
        .map(|code| code_hash(&code))
        .unwrap_or_default();
    let parts = audit.prepare(
        person.actor(person.signed_in_as()),
        StatusCode::CREATED,
        None,
    );
    let link = state
        .persons
        .redeem(&person.key, &hash, parts.context(now))
        .await?;
    audit.committed();
    Ok(HttpResponse::Created().json(link_view(&link, None)))
}
