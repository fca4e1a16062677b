//! `GET /v1/access-log`: what the caller's own organisation accessed (NEN 7513: the
//! organisation's security officer reviews its own staff's access), paged by cursor.

use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use super::client_report::{AccessEntryView, AccessLogView};
use super::page::LogPage;
use crate::auth::{Principal, Scope};
use crate::error::ApiError;
use crate::http::query::StrictQuery;
use crate::state::AppState;

/// Read your organisation's access log.
///
/// Every request made on behalf of the caller's organisation that touched client data
/// (or tried to), newest first; the cursor `next_before` pages back through all of it.
/// An administrator reads every organisation's entries.
#[utoipa::path(
    operation_id = "get_own_access_log",
    tag = "trajectories",
    params(LogPage),
    responses(
        (status = 200, description = "A page of entries, newest first", body = AccessLogView),
        (status = 422, description = "`limit` or `before` out of range",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/access-log")]
pub async fn own_access_log(
    principal: Principal,
    state: web::Data<AppState>,
    page: StrictQuery<LogPage>,
) -> Result<HttpResponse, ApiError> {
    let page = page.into_inner();
    let query = page.query()?;
    let org = principal.org.to_string();
    let whose = (!principal.has(Scope::Admin)).then_some(org.as_str());
    let found = state.access.of_organisation(whose, query).await?;
    let (entries, next_before) = page.cut(found);
    Ok(HttpResponse::Ok().json(AccessLogView {
        items: entries.iter().map(AccessEntryView::from).collect(),
        next_before,
    }))
}
