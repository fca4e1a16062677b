//! Retention and erasure through the API: erasing a trajectory's personal details on
//! request (AVG art. 17), legal holds, and the daily job that removes what has passed its
//! term. Administrators only; every call is in the access log like any other.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod dto;
mod erasure;
pub mod job;
mod legal_hold;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(erasure::erase)
        .service(legal_hold::read)
        .service(legal_hold::place)
        .service(legal_hold::lift);
}
