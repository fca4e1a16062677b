//! The people around a client: the trajectory's team (professionals and naasten), the
//! part of it a referral's recipient may see, and the referral's warm-handoff meetings.

pub mod dto;
use herstelbrug_domain::{MeetingId, ParticipantId};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

mod join;
mod leave;
mod list;
mod meetings;
mod overview;
mod plan_meeting;
mod record_meeting;
mod referral_team;

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(join::join)
        .service(list::list)
        .service(leave::leave)
        .service(referral_team::referral_team)
        .service(plan_meeting::plan_meeting)
        .service(meetings::meetings)
        .service(record_meeting::record_meeting)
        .service(overview::trajectory_overview)
        .service(overview::referral_overview);
}

fn participant_id(raw: &str) -> Result<ParticipantId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

fn meeting_id(raw: &str) -> Result<MeetingId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}
