//! The person's own door (`/v1/me/...` and the page at `/mijn/`): the client, someone
//! representing them, or a naaste signs in at the configured issuer and sees and steers
//! their own path. Organisations make the client's invitation (`/v1/trajectories/{id}/invitations`).

mod access_report;
mod code;
mod consents;
mod copy;
pub mod dev_issuer;
pub mod dto;
mod invitations;
mod me;
mod naasten;
pub mod page;
mod redeem;
pub mod setup;
mod trajectory;
mod view;
mod words;

use actix_web::web;
use herstelbrug_domain::TrajectoryId;
use herstelbrug_persistence::Stand;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::person::PersonPrincipal;
use crate::error::ApiError;
use crate::state::AppState;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(me::me)
        .service(trajectory::trajectory)
        .service(consents::list)
        .service(consents::give)
        .service(consents::withdraw)
        .service(access_report::report)
        .service(access_report::audit_events)
        .service(copy::copy)
        .service(copy::copy_fhir)
        .service(redeem::redeem)
        .service(naasten::list)
        .service(naasten::invite)
        .service(naasten::revoke_one)
        .service(naasten::revoke_all)
        .service(invitations::create)
        .service(invitations::list)
        .service(invitations::revoke);
}

/// The trajectory `raw` names, if the person stands in it; any other id is 404, whether it
/// exists or not, so ids cannot be probed.
async fn stand(
    state: &web::Data<AppState>,
    person: &PersonPrincipal,
    raw: &str,
) -> Result<Stand, ApiError> {
    let id: TrajectoryId = raw.parse().map_err(|_| ApiError::NotFound)?;
    Ok(state.persons.standing(&person.key, id).await?)
}

/// As [`stand`], for what only the client (or their representative) does: a naaste
/// looks, she does not steer.
async fn steering(
    state: &web::Data<AppState>,
    person: &PersonPrincipal,
    raw: &str,
) -> Result<Stand, ApiError> {
    let stand = stand(state, person, raw).await?;
    if !stand.standing.steers() {
        return Err(ApiError::Forbidden(
            "only the client, or someone representing the client, can do this".to_owned(),
        ));
    }
    Ok(stand)
}
