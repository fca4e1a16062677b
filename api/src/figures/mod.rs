//! Continuity figures for dashboards: aggregates without client ids, withheld below 5
//! clients.

pub mod dto;
use utoipa_actix_web::service_config::ServiceConfig;

mod continuity;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(continuity::continuity);
}
