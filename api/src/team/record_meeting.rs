//! `POST /v1/referrals/{rid}/warm-handoff/meetings/{mid}/outcome`: what happened.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::RecordMeeting;

use super::meeting_id;
use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{etag, idempotency, replay};
use crate::referral::referral_id;
use crate::state::AppState;
use crate::team::dto::{MeetingOutcomeRequest, MeetingView};

/// Record a handoff meeting's outcome.
///
/// `held`; `postponed` with the new `planned_at` (it stays planned); or `not_held` with a
/// `reason` (then `warm_handoff_missing` may open again).
#[utoipa::path(
    operation_id = "record_handoff_meeting",
    tag = "team",
    request_body = MeetingOutcomeRequest,
    params(
        ("rid" = uuid::Uuid, Path, description = "The referral id"),
        ("mid" = uuid::Uuid, Path, description = "The meeting id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]{1,9}"$"#, description = "The meeting's current ETag"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response (marked `Idempotent-Replayed: true`)."),
    ),
    responses(
        (status = 200, description = "Recorded", body = MeetingView),
        (status = 404, description = "No such meeting of a referral the caller takes part in",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is not the current version",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Already held or not held, or a missing field",
            body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{rid}/warm-handoff/meetings/{mid}/outcome")]
pub async fn record_meeting(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    path: web::Path<(String, String)>,
    body: StrictJson<MeetingOutcomeRequest>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let (rid, mid) = path.into_inner();
    let body = body.into_inner();
    let record = RecordMeeting {
        referral: referral_id(&rid)?,
        meeting: meeting_id(&mid)?,
        org,
        if_match: etag::required_match(&req)?,
        outcome: body.parse()?,
    };
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let now = state.clock.now();
    let parts = audit.prepare(principal.actor(), StatusCode::OK, key);
    let outcome = state
        .team
        .record(record, parts.context(now), &|m| {
            replay::stored(StatusCode::OK, &MeetingView::from(m), m.version, None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
