//! `POST /v1/referrals/{rid}/{action}`: a party acts on a referral.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_domain::ReferralAction;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{PartyAction, Write, WriteContext};

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::{Audit, CreatedSubject};
use crate::http::json_body::OptionalJson;
use crate::http::{etag, idempotency, replay};
use crate::referral::dto::ReferralActionName;
use crate::referral::dto::{ReferralActionRequest, ReferralView};
use crate::referral::referral_id;
use crate::state::AppState;

/// Act on a referral.
///
/// The recipient `acknowledge`s (requested → received), may `assess` once (received →
/// under_assessment), `accept`s with `planned_start_on` or `reject`s with a `reason`,
/// `start`s, and `complete`s or `fail`s (with a `reason`). The requester may `cancel`
/// before work starts. The body is optional for actions that need no field.
#[utoipa::path(
    operation_id = "act_on_referral",
    tag = "referrals",
    request_body(content = Option<ReferralActionRequest>, description = "The fields the action needs; may be left out when it needs none"),
    params(
        ("rid" = uuid::Uuid, Path, description = "The referral id"),
        ("action" = inline(ReferralActionName), Path, description = "The action to take"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]{1,9}"$"#, description = "The referral's current ETag"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#, description = "Makes a retry return the first response."),
    ),
    responses(
        (status = 200, description = "Done; the referral as the caller may see it", body = ReferralView,
            headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "The other party takes this action",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral involving the caller, or no such action",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the current status; `allowed` lists what is",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is not the current version",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field the action needs is missing or breaks a rule",
            body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/referrals/{rid}/{action}")]
pub async fn act(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    path: web::Path<(String, String)>,
    body: OptionalJson<ReferralActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let (rid, action) = path.into_inner();
    let id = referral_id(&rid)?;
    let action: ReferralAction = action.parse().map_err(|_| ApiError::NotFound)?;
    let if_match = etag::required_match(&req)?;
    let body = body.0;
    let key = idempotency::key_for(&req, org, &body)?;
    let now = state.clock.now();
    let command = body.into_command(action, now.date_naive())?;
    let outcome = state
        .referrals
        .act(
            PartyAction {
                id,
                org,
                if_match: &if_match,
                command: &command,
            },
            Write {
                context: WriteContext {
                    actor: &principal.actor(),
                    now,
                    audit: &audit.entry(StatusCode::OK, CreatedSubject::default()),
                    key: key.as_ref(),
                },
                respond: &|record| {
                    replay::stored(
                        StatusCode::OK,
                        &ReferralView::for_org(record, org),
                        record.referral.version,
                        None,
                    )
                },
            },
        )
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
