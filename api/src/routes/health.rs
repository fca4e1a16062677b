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

/// The longest a readiness probe waits for the database.
const READY_DEADLINE: std::time::Duration = std::time::Duration::from_millis(800);

pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(live).service(ready);
}

/// The process is up and serving HTTP.
///
/// For a liveness probe: answers 200 while the process serves HTTP, without touching the
/// database, so a database outage never restarts the process. No token needed.
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
///
/// For a readiness probe and load balancers: 200 when a query on the database answers
/// within a second, 503 otherwise (take the instance out of rotation, do not restart it).
/// No token needed.
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
    // An orchestrator's probe must get an answer, not hang on a dead connection.
    let answered = tokio::time::timeout(READY_DEADLINE, state.db.ping()).await;
    let failure = match answered {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!(
            "no answer within {} ms",
            READY_DEADLINE.as_millis()
        )),
    };
    if let Some(e) = failure {
        tracing::warn!(error = %e, "readiness check failed");
        return Err(ApiError::Unavailable(
            "the database does not answer".to_owned(),
        ));
    }
    Ok(HttpResponse::Ok().json(HealthStatus { status: "ready" }))
}
