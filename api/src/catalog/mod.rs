//! The building-block catalog: services, their capacity, and their measured waiting times.
//! The catalog holds no client data: reading it is not client access and is not logged as
//! such; every change is in the service's own history.

pub mod dto;
pub mod examples;
pub mod organisations;
use herstelbrug_domain::ServiceId;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

mod capacity;
mod create;
mod feed;
mod get;
mod history;
mod list;
mod update;

pub fn register(cfg: &mut ServiceConfig) {
    // The feed first: `/services/{id}` would match it too.
    cfg.service(feed::feed)
        .service(list::list)
        .service(create::create)
        .service(get::get)
        .service(update::update)
        .service(capacity::capacity)
        .service(history::history);
}

pub(crate) fn service_id(raw: &str) -> Result<ServiceId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}
