//! Alerts: list, read, follow as a feed, acknowledge, resolve.

pub mod dto;
use herstelbrug_domain::AlertId;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

mod acknowledge;
mod feed;
mod get;
mod list;
mod resolve;

pub fn register(cfg: &mut ServiceConfig) {
    // The feed first: `/alerts/{id}` would match it too.
    cfg.service(feed::alert_feed)
        .service(list::list)
        .service(get::get)
        .service(acknowledge::acknowledge)
        .service(resolve::resolve);
}

fn alert_id(raw: &str) -> Result<AlertId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}
