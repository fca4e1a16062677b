//! Webhook subscriptions: register, list, delete, rotate the secret, send a test, list
//! deliveries, replay a dead letter, read the status and catch up on numbered events. Each organisation manages only its own.

pub mod dto;
pub mod event_dto;
use herstelbrug_domain::SubscriptionId;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

mod create;
mod delete;
mod deliveries;
mod events;
mod list;
mod replay;
mod rotate;
mod status;
mod test_event;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(create::create_subscription)
        .service(list::list_subscriptions)
        .service(delete::delete_subscription)
        .service(rotate::rotate_secret)
        .service(test_event::send_test_event)
        .service(deliveries::list_deliveries)
        .service(replay::replay_delivery)
        .service(status::subscription_status)
        .service(events::list_events);
}

fn subscription_id(raw: &str) -> Result<SubscriptionId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}
