//! `GET /v1/alerts`: the alerts that concern the caller, filtered, in cursor pages.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_domain::{GemeenteCode, OrgId, TrajectoryId};
use herstelbrug_persistence::AlertFilter;

use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::continuity::dto::{AlertList, AlertView, ListAlertsParams};
use crate::error::ApiError;
use crate::http::query::StrictQuery;
use crate::http::{access_log, cursor};
use crate::state::AppState;

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// List alerts.
///
/// A provider sees the alerts about its trajectories; a municipality those about the
/// referrals addressed to it; an administrator all. Oldest first.
#[utoipa::path(
    operation_id = "list_alerts",
    tag = "alerts",
    params(ListAlertsParams),
    responses(
        (status = 200, description = "A page of alerts", body = AlertList),
        (status = 422, description = "`after` is not a cursor this API issued",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/alerts")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    params: StrictQuery<ListAlertsParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let reader = policy::alert_reader(&principal)?;
    let params = params.into_inner();
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidRequest(format!(
            "`limit` must be between 1 and {MAX_LIMIT}"
        )));
    }
    let invalid = |e: herstelbrug_domain::InvalidValue| ApiError::InvalidRequest(e.to_string());
    let filter = AlertFilter {
        status: params.status,
        rule: params.rule,
        severity: params.severity,
        trajectory: params.trajectory.map(TrajectoryId::from_uuid),
        municipality: params
            .municipality
            .as_deref()
            .map(str::parse::<GemeenteCode>)
            .transpose()
            .map_err(invalid)?,
        organisation: params
            .organisation
            .as_deref()
            .map(str::parse::<OrgId>)
            .transpose()
            .map_err(invalid)?,
        after: params
            .after
            .as_deref()
            .map(cursor::decode_alert)
            .transpose()?,
        limit: u64::from(limit),
    };
    let (alerts, next) = state.alerts.list(reader, &filter).await?;
    let residents = state.alerts.residents(principal.org, &alerts).await?;
    access_log::disclosed(&req, alerts.iter().map(|a| a.trajectory_id.as_uuid()));
    Ok(HttpResponse::Ok().json(AlertList {
        items: alerts
            .iter()
            .map(|a| {
                AlertView::from(a)
                    .seen_by(Some(principal.org))
                    .with_resident(residents.get(&a.trajectory_id))
            })
            .collect(),
        next_cursor: next.map(cursor::encode_alert),
    }))
}
