//! `GET /v1/referrals/{rid}/warm-handoff/meetings`: a referral's handoff meetings.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::referral::referral_id;
use crate::state::AppState;
use crate::team::dto::{MeetingList, MeetingView};

/// Read the handoff meetings.
///
/// The warm-handoff meetings planned for a referral, oldest first, with their outcome
/// (`planned`, `held`, `postponed`, `not_held`). Either party of the referral may read them.
#[utoipa::path(
    operation_id = "list_handoff_meetings",
    tag = "team",
    params(("rid" = uuid::Uuid, Path, description = "The referral id")),
    responses(
        (status = 200, description = "The meetings, oldest first", body = MeetingList),
        (status = 404, description = "No such referral the caller takes part in",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{rid}/warm-handoff/meetings")]
pub async fn meetings(
    principal: Principal,
    state: web::Data<AppState>,
    rid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let meetings = state
        .team
        .meetings(referral_id(&rid)?, org, state.clock.now())
        .await?;
    Ok(HttpResponse::Ok().json(MeetingList {
        items: meetings.iter().map(MeetingView::from).collect(),
    }))
}
