//! `GET /v1/trajectories`: the caller's trajectories, filtered, in cursor pages.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_domain::GemeenteCode;
use herstelbrug_persistence::TrajectoryFilter;

use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::query::StrictQuery;
use crate::http::{access_log, cursor};
use crate::identifier::dto::parse_token;
use crate::state::AppState;
use crate::trajectory::dto::{
    DEFAULT_PAGE_SIZE, ListTrajectoriesParams, MAX_PAGE_SIZE, TrajectoryList, TrajectoryView,
};

/// List trajectories.
///
/// Ordered by creation. Pages hold at most `limit` items; follow `next_cursor` with `after`.
#[utoipa::path(
    operation_id = "list_trajectories",
    tag = "trajectories",
    params(ListTrajectoriesParams),
    responses(
        (status = 200, description = "A page of trajectories", body = TrajectoryList),
        (status = 422, description = "`after` is not a cursor this API issued",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    params: StrictQuery<ListTrajectoriesParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let visibility = policy::trajectory_readers(&principal)?;
    let params = params.into_inner();
    let limit = params.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(ApiError::InvalidRequest(format!(
            "`limit` must be between 1 and {MAX_PAGE_SIZE}"
        )));
    }
    let filter = TrajectoryFilter {
        phase: params.phase,
        municipality: params
            .municipality
            .as_deref()
            .map(str::parse::<GemeenteCode>)
            .transpose()
            .map_err(|e| ApiError::InvalidRequest(e.to_string()))?,
        updated_since: params.updated_since,
        identifier: params
            .identifier
            .as_deref()
            .map(parse_token)
            .transpose()?
            .map(|id| (principal.org, id)),
        after: params.after.as_deref().map(cursor::decode).transpose()?,
        limit: u64::from(limit),
        ..TrajectoryFilter::default()
    };
    let page = state.trajectories.list(visibility, &filter).await?;
    access_log::disclosed(&req, page.items.iter().map(|t| t.id.as_uuid()));
    Ok(HttpResponse::Ok().json(TrajectoryList {
        items: page.items.iter().map(TrajectoryView::from).collect(),
        next_cursor: page.next.map(cursor::encode),
    }))
}
