//! Routing when a handoff fails: offers to several candidates at once, and the services to
//! try next for a referral's client.

pub mod dto;
use herstelbrug_domain::OfferId;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

mod alternatives;
mod create_offer;
mod get_offer;
mod list_offers;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(create_offer::create_offer)
        .service(list_offers::list_offers)
        .service(get_offer::get_offer)
        .service(alternatives::alternatives);
}

/// A path id that is not a UUID cannot name an offer: 404, like an unknown one.
fn offer_id(raw: &str) -> Result<OfferId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}
