//! Per-client views across trajectories: the access log.

use utoipa_actix_web::service_config::ServiceConfig;

mod access_log;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(access_log::client_access_log);
}
