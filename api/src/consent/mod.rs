//! A trajectory's consents: record, list, read, withdraw.

pub mod dto;
use utoipa_actix_web::service_config::ServiceConfig;

mod create;
mod get;
mod list;
mod withdraw;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(create::create)
        .service(list::list)
        .service(get::get)
        .service(withdraw::withdraw);
}
