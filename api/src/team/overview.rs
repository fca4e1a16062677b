//! `GET /v1/trajectories/{id}/overview` and `GET /v1/referrals/{rid}/overview`: the path.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log;
use crate::referral::referral_id;
use crate::state::AppState;
use crate::trajectory::overview_dto::{OverviewView, ReferralOverviewView};
use crate::trajectory::trajectory_id;

/// Read the whole path of a client.
///
/// For the treating provider: phase and dates, the current team, every referral with its
/// next due date, the offers, the open alerts, the next deadline, and every step in one
/// timeline (phase changes, referral changes, consents given and withdrawn, alerts
/// opened, acknowledged, escalated and resolved, participants joining and leaving, offers,
/// handoff meetings). A fixed number of queries, however long the path.
#[utoipa::path(
    operation_id = "trajectory_overview",
    tag = "team",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "The overview", body = OverviewView),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/overview")]
pub async fn trajectory_overview(
    principal: Principal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let overview = state
        .overview
        .trajectory(trajectory_id(&id)?, provider, state.clock.now())
        .await?;
    Ok(HttpResponse::Ok().json(OverviewView::from(&overview)))
}

/// Read one referral's path, as a party of it.
///
/// The recipient gets its minimised view of the referral, its contacts at the provider
/// (and a naaste only when the client's consent to involve them names it), the handoff
/// meetings, the next due date, and the steps taken on the referral.
#[utoipa::path(
    operation_id = "referral_overview",
    tag = "team",
    params(("rid" = uuid::Uuid, Path, description = "The referral id")),
    responses(
        (status = 200, description = "The referral's overview", body = ReferralOverviewView),
        (status = 404, description = "No such referral the caller takes part in",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/referrals/{rid}/overview")]
pub async fn referral_overview(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    rid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = policy::referral_party(&principal)?;
    let overview = state
        .overview
        .referral(referral_id(&rid)?, org, state.clock.now())
        .await?;
    access_log::disclosed(&req, [overview.record.referral.trajectory_id.as_uuid()]);
    Ok(HttpResponse::Ok().json(ReferralOverviewView::new(&overview, org)))
}
