//! Organisations as recipients: what kind each is, the registry entry of an informal one,
//! and the waiting times measured over everything it received. No client data.

pub mod dto;
use utoipa_actix_web::service_config::ServiceConfig;

mod get;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(get::get);
}
