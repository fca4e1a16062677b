//! `GET /v1/services/{id}`: one service with its measured waiting times.

use actix_web::http::header::ETAG;
use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use super::service_id;
use crate::auth::Principal;
use crate::catalog::dto::ServiceView;
use crate::error::ApiError;
use crate::http::{access_log, etag};
use crate::state::AppState;

/// Read a service.
///
/// Any authenticated organisation may. The waiting times are measured from the referrals
/// sent to the service over the last 61 days; below 5 referrals they are withheld.
#[utoipa::path(
    operation_id = "get_service",
    tag = "catalog",
    params(("id" = uuid::Uuid, Path, description = "The service id")),
    responses(
        (status = 200, description = "The service", body = ServiceView,
            headers(("ETag" = String, description = "The service's version, for If-Match"))),
        (status = 404, description = "No such service",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/services/{id}")]
pub async fn get(
    _principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let entry = state
        .catalog
        .get(service_id(&id)?, state.clock.now())
        .await?;
    // The catalog holds no client data: this read is no client access.
    access_log::nothing_disclosed(&req);
    Ok(HttpResponse::Ok()
        .insert_header((ETAG, etag::etag(entry.service.version)))
        .json(ServiceView::new(&entry.service, &entry.waiting)))
}
