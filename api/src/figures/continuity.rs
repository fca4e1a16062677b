//! `GET /v1/figures/continuity`: whether follow-up was in place when treatment ended, how
//! long the gap lasted, where clients fell through, per period and group.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_domain::figures::{Grouping, Interval, PeriodRange, ReportQuery};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::FigureScope;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Principal, policy};
use crate::dto::schema;
use crate::error::ApiError;
use crate::figures::dto::{Asked, ContinuityFiguresView};
use crate::http::access_log;
use crate::http::query::StrictQuery;
use crate::state::AppState;

/// The range and grouping asked for.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FigureParams {
    #[param(schema_with = schema::figure_interval)]
    pub interval: Option<String>,
    /// The first period: `2026-01` for months, `2026-Q1` for quarters; at most 24
    /// periods back [default: 12 months or 4 quarters up to `to`].
    #[param(max_length = 7, example = "2026-01")]
    pub from: Option<String>,
    /// The last period, not after the current one [default: the current one].
    #[param(max_length = 7, example = "2026-12")]
    pub to: Option<String>,
    #[param(schema_with = schema::figure_grouping)]
    pub group_by: Option<String>,
}

/// Continuity figures.
///
/// Per period and group: treatment endings and the share with follow-up accepted at that
/// moment; days from the end of treatment to the start of follow-up (median, 80th
/// percentile); gap alerts, gaps closed and the mean days to close one; alerts opened and
/// escalated per rule; referrals by outcome (rejections per reason) with the measured
/// waiting times against the Treeknorm; dropouts and re-admissions within 90 days; and
/// the gap alerts open now. A provider's dashboard sees its own trajectories, a
/// municipality's dashboard its residents over every provider, an administrator every
/// organisation. Every count is a multiple of 5: each finest cell (month, municipality,
/// provider, kind, service) is randomly rounded to base 5 with a fixed, keyed draw, and
/// every published count is the sum of those rounded cells, so no combination of answers
/// gives a small count away. Shares and durations need 10 (rounded) behind them, else
/// they are `null` with `suppressed: true`. No figure carries a client id. Counts are kept as changes happen, so the answer reads
/// rolled-up counts, not the events.
#[utoipa::path(
    operation_id = "get_continuity_figures",
    tag = "figures",
    params(FigureParams),
    responses(
        (status = 200, description = "The figures", body = ContinuityFiguresView),
        (status = 400, description = "A parameter is not understood",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dashboard of a provider or municipality, nor an administrator",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A period is malformed, in the future, too far back, or after `to`",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/figures/continuity")]
pub async fn continuity(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    params: StrictQuery<FigureParams>,
) -> Result<HttpResponse, ApiError> {
    let scope = policy::figure_reader(&principal)?;
    let params = params.into_inner();
    let invalid =
        |field: &str, e: &dyn std::fmt::Display| ApiError::Validation(format!("`{field}`: {e}"));
    let interval: Interval = params
        .interval
        .as_deref()
        .unwrap_or("month")
        .parse()
        .map_err(|e| invalid("interval", &e))?;
    let grouping: Grouping = params
        .group_by
        .as_deref()
        .unwrap_or("municipality")
        .parse()
        .map_err(|e| invalid("group_by", &e))?;
    let now = state.clock.now();
    let range = PeriodRange::parse(
        interval,
        params.from.as_deref(),
        params.to.as_deref(),
        now.date_naive(),
    )
    .map_err(|e| ApiError::Validation(e.to_string()))?;
    let query = ReportQuery {
        range,
        grouping,
        norms: state.waiting_policy,
    };
    let report = state.figures.continuity(scope, &query).await?;
    // Rounded aggregates of finest cells: this read discloses no client.
    access_log::nothing_disclosed(&req);
    Ok(HttpResponse::Ok().json(ContinuityFiguresView::new(
        &report,
        Asked {
            interval: interval.as_str(),
            group_by: grouping.as_str(),
            scope: match scope {
                FigureScope::Provider(p) => p.to_string(),
                FigureScope::Municipality(m) => m.to_string(),
                FigureScope::All => "all".to_owned(),
            },
            now,
        },
    )))
}
