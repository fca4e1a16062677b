//! `POST /v1/referrals/{rid}/warm-handoff/meetings`: plan the warm handoff.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::PlanMeeting;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::referral::referral_id;
use crate::state::AppState;
use crate::team::dto::{MeetingView, PlanMeetingRequest};

/// Plan a warm handoff.
///
/// A meeting of the client with the old and the new professional (and a naaste if the
/// client wants), before treatment ends. Either party of the referral may plan it; a
/// planned or held meeting resolves `warm_handoff_missing`.
#[utoipa::path(
    operation_id = "plan_handoff_meeting",
    tag = "team",
    request_body = PlanMeetingRequest,
    params(
        ("rid" = uuid::Uuid, Path, description = "The referral id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 201, description = "Planned", body = MeetingView,
            headers(("ETag" = String, description = "The meeting's version"))),
        (status = 404, description = "No such referral the caller takes part in",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A participant of another trajectory",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{rid}/warm-handoff/meetings")]
pub async fn plan_meeting(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    rid: web::Path<String>,
    body: StrictJson<PlanMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let plan = PlanMeeting {
        referral: referral_id(&rid)?,
        org,
        planned_at: body.planned_at,
        participants: body.participants(),
    };
    let now = state.clock.now();
    let parts = audit.prepare(principal.actor(), StatusCode::CREATED, key);
    let outcome = state
        .team
        .plan(plan, parts.context(now), &|m| {
            replay::stored(StatusCode::CREATED, &MeetingView::from(m), m.version, None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
