//! After closure: the outcome checks a trajectory owes and their recorded outcomes.

pub mod dto;
use utoipa_actix_web::service_config::ServiceConfig;

mod checks;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(checks::record).service(checks::list);
}
