//! The access log as its client sees it: per client, across trajectories (NEN 7513).

use utoipa_actix_web::service_config::ServiceConfig;

mod client_report;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(client_report::client_access_log);
}
