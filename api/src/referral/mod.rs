//! Follow-up referrals: the provider refers and follows up, the recipient polls its inbox,
//! answers and reports progress.

pub mod dto;
use herstelbrug_domain::ReferralId;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

mod act;
mod create;
mod get;
mod inbox;
mod list;
mod lookup;
mod outbox_feed;

pub fn register(cfg: &mut ServiceConfig) {
    // The fixed feed paths first: `/referrals/{rid}` would match them too.
    cfg.service(inbox::inbox)
        .service(outbox_feed::outbox_feed)
        .service(create::create)
        .service(list::list)
        .service(lookup::lookup)
        .service(get::get)
        .service(act::act);
}

/// A path id that is not a UUID cannot name a referral: 404, like an unknown one.
pub(crate) fn referral_id(raw: &str) -> Result<ReferralId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}
