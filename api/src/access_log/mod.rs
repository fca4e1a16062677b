//! The access log on the server's side: read through the API per client and per
//! organisation (NEN 7513), a page at a time; the checkpoint signing key, the outside copy
//! of every checkpoint, the task that signs them as the log grows, and the `herstelbrug
//! audit` commands (verify, checkpoint, export, verify-export, keygen, rotate).

use utoipa_actix_web::service_config::ServiceConfig;

pub mod anchor;
pub mod checkpointer;
mod client_report;
pub mod commands;
pub mod keys;
mod own_log;
pub mod page;

pub use client_report::{AccessEntryView, AccessLogView};

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(client_report::client_access_log);
    cfg.service(own_log::own_access_log);
}
