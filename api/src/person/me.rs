//! `GET /v1/me`: who is signed in, and the trajectories they stand in.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::person::PersonPrincipal;
use crate::error::ApiError;
use crate::http::access_log;
use crate::person::dto::MeView;
use crate::person::view;
use crate::state::AppState;

/// Read who I am and my trajectories.
///
/// For a person signed in at the configured issuer: their own trajectories (matched by
/// the BSN in their token, or linked by an invitation code), those of the client they
/// represent, or those they follow as a naaste.
#[utoipa::path(
    operation_id = "read_me",
    tag = "me",
    responses(
        (status = 200, description = "Who is signed in", body = MeView),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[get("/me")]
pub async fn me(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let stands = state.persons.trajectories(&person.key).await?;
    access_log::disclosed(&req, stands.iter().map(|s| s.trajectory.id.as_uuid()));
    Ok(HttpResponse::Ok().json(MeView {
        signed_in_as: person.signed_in_as().as_str().to_owned(),
        representation: person
            .key
            .acting_for
            .as_ref()
            .map(|(_, kind)| kind.as_str().to_owned()),
        trajectories: stands.iter().map(view::summary).collect(),
    }))
}
