//! The API's routes, one handler per file, grouped by resource. Registration goes through
//! utoipa-actix-web, so the OpenAPI paths are exactly the served ones.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod aftercare;
pub mod alerts;
pub mod clients;
pub mod consents;
pub mod fhir;
pub mod figures;
pub mod health;
pub mod identifiers;
pub mod organisations;
pub mod referrals;
pub mod routing;
pub mod services;
pub mod team;
pub mod trajectories;
pub mod webhooks;

/// Everything under `/v1`.
pub fn v1(cfg: &mut ServiceConfig) {
    // Before the referral actions: `/referrals/{rid}/{action}` would match the path.
    identifiers::register(cfg);
    trajectories::register(cfg);
    consents::register(cfg);
    routing::register(cfg);
    team::register(cfg);
    aftercare::register(cfg);
    referrals::register(cfg);
    alerts::register(cfg);
    webhooks::register(cfg);
    clients::register(cfg);
    services::register(cfg);
    organisations::register(cfg);
    figures::register(cfg);
}
