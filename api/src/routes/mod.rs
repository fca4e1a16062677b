//! Every capability's routes under `/v1`, registered in one place (each capability folder
//! holds its handlers, one per file, and its DTOs). Registration goes through
//! utoipa-actix-web, so the OpenAPI paths are exactly the served ones.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod health;

/// Everything under `/v1`.
pub fn v1(cfg: &mut ServiceConfig) {
    // Before the referral actions: `/referrals/{rid}/{action}` would match the path.
    crate::identifier::register(cfg);
    crate::trajectory::register(cfg);
    crate::consent::register(cfg);
    crate::routing::register(cfg);
    crate::team::register(cfg);
    crate::aftercare::register(cfg);
    crate::referral::register(cfg);
    crate::continuity::register(cfg);
    crate::notification::register(cfg);
    crate::access_log::register(cfg);
    crate::retention::register(cfg);
    crate::catalog::register(cfg);
    crate::catalog::organisations::register(cfg);
    crate::figures::register(cfg);
    crate::person::register(cfg);
}
