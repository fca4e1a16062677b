//! `GET /health/live` and `GET /health/ready`: probes for orchestrators, without auth.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct HealthStatus {
    #[schema(example = "ok")]
    pub status: &'static str,
}

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(live).service(ready);
}

/// The process is up and serving HTTP.
#[utoipa::path(
    operation_id = "liveness",
    tag = "health",
    responses((status = 200, description = "Alive", body = HealthStatus))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "ok" })
}

/// The process can serve requests: its database answers.
#[utoipa::path(
    operation_id = "readiness",
    tag = "health",
    responses(
        (status = 200, description = "Ready", body = HealthStatus),
        (status = 503, description = "The database does not answer",
            body = herstelbrug_openapi::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::Unavailable("the database does not answer".to_owned())
    })?;
    Ok(HttpResponse::Ok().json(HealthStatus { status: "ready" }))
}
