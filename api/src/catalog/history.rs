//! `GET /v1/services/{id}/history`: who changed what in a service, when.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use super::service_id;
use crate::auth::Principal;
use crate::catalog::dto::{ServiceChangeView, ServiceHistory};
use crate::error::ApiError;
use crate::http::access_log;
use crate::state::AppState;

/// Read a service's history.
///
/// Every change to the service's record and capacity, oldest first: who changed what and
/// when, so a recipient can see how the stated waiting time moved. Holds no client data.
#[utoipa::path(
    operation_id = "get_service_history",
    tag = "catalog",
    params(("id" = uuid::Uuid, Path, description = "The service id")),
    responses(
        (status = 200, description = "Every change, oldest first", body = ServiceHistory),
        (status = 404, description = "No such service",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/services/{id}/history")]
pub async fn history(
    _principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = service_id(&id)?;
    let changes = state.catalog.history(id).await?;
    if changes.is_empty() {
        return Err(ApiError::NotFound);
    }
    access_log::nothing_disclosed(&req);
    Ok(HttpResponse::Ok().json(ServiceHistory {
        items: changes
            .into_iter()
            .map(|c| ServiceChangeView {
                sequence: c.sequence,
                change: c.change,
                detail: c.detail,
                subject: c.subject,
                org: c.org,
                recorded_at: c.recorded_at,
            })
            .collect(),
    }))
}
