//! `GET /v1/referrals/{rid}/participants`: the team as a party of a referral may see it.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log;
use crate::referral::referral_id;
use crate::state::AppState;
use crate::team::dto::TeamView;

/// Read who is involved, as a party of the referral.
///
/// The requester sees the whole team. The recipient sees its own people and, while the
/// client's consent to share with it holds and the referral is open, the provider's
/// contacts (regiebehandelaar, casemanager); a naaste only when the client's consent to
/// involve her names the recipient, and her name and contact only once the referral is
/// accepted (the disclosure table in the README).
#[utoipa::path(
    operation_id = "referral_participants",
    tag = "team",
    params(("rid" = uuid::Uuid, Path, description = "The referral id")),
    responses(
        (status = 200, description = "The visible team", body = TeamView),
        (status = 404, description = "No such referral the caller takes part in",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{rid}/participants")]
pub async fn referral_team(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    rid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let (referral, team) = state
        .team
        .team_for_referral(referral_id(&rid)?, org, state.clock.now())
        .await?;
    access_log::disclosed(&req, [referral.trajectory_id.as_uuid()]);
    Ok(HttpResponse::Ok().json(TeamView::seen(&team)))
}
