//! The access log read through the API: per client, across trajectories, and per
//! organisation, its own (NEN 7513), a page at a time.

use utoipa_actix_web::service_config::ServiceConfig;

mod client_report;
mod own_log;
pub mod page;

pub use client_report::{AccessEntryView, AccessLogView};

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(client_report::client_access_log);
    cfg.service(own_log::own_access_log);
}
