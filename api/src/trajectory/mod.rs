//! The trajectory resource: register, list, read, move, and read history.

pub mod dto;
pub mod overview_dto;
use herstelbrug_domain::TrajectoryId;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

mod create;
mod events;
mod get;
mod list;
mod search;
mod transition;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(create::create)
        .service(search::search)
        .service(list::list)
        .service(get::get)
        .service(transition::transition)
        .service(events::events);
}

/// A path id that is not a UUID cannot name a trajectory: 404, like an unknown one.
pub(crate) fn trajectory_id(raw: &str) -> Result<TrajectoryId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}
