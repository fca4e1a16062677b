//! `GET /v1/organisations/{org}`: an organisation with its measured waiting times.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_domain::OrgId;
use herstelbrug_openapi::Problem;

use crate::auth::Principal;
use crate::catalog::organisations::dto::OrganisationView;
use crate::error::ApiError;
use crate::http::access_log;
use crate::state::AppState;

/// Read an organisation.
///
/// Any authenticated organisation may. The waiting times cover every referral the
/// organisation received over the window (default 61 days), with or without a catalog
/// service, overall and per kind; below 5 referrals a figure is withheld. An informal
/// organisation the registry does not know is 404.
#[utoipa::path(
    operation_id = "get_organisation",
    tag = "organisations",
    params(("org" = String, Path, description = "`agb:NNNNNNNN`, `gemeente:NNNN` or `informeel:NNNNNN`",
        // `dto::schema::ORG_PATTERN` (a literal here; a document test keeps them equal).
        pattern = "^(agb:[0-9]{8}|gemeente:([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})|informeel:([0-9]{5}[1-9]|[0-9]{4}[1-9][0-9]|[0-9]{3}[1-9][0-9]{2}|[0-9]{2}[1-9][0-9]{3}|[0-9][1-9][0-9]{4}|[1-9][0-9]{5}))$",
        example = "gemeente:0796")),
    responses(
        (status = 200, description = "The organisation", body = OrganisationView),
        (status = 404, description = "No such organisation",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/organisations/{org}")]
pub async fn get(
    _principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    org: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org: OrgId = org.parse().map_err(|_| ApiError::NotFound)?;
    let registry = match org {
        OrgId::Informal(id) => Some(state.organisations.informal(id).await?),
        OrgId::Agb(_) | OrgId::Gemeente(_) => None,
    };
    let figures = state.organisations.waiting(org, state.clock.now()).await?;
    // Figures below 5 referrals are withheld: this read discloses no client.
    access_log::nothing_disclosed(&req);
    Ok(HttpResponse::Ok().json(OrganisationView::new(org, registry.as_ref(), &figures)))
}
