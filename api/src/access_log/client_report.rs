//! `GET /v1/clients/{client_ref}/access-log`: who accessed this client's data (NEN 7513).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use herstelbrug_domain::ClientRef;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::AccessEntry;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::state::AppState;

const LIMIT: u64 = 500;

/// One access-log entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessEntryView {
    pub id: i64,
    /// UTC, to the second.
    pub recorded_at: DateTime<Utc>,
    /// The operation, e.g. `GET /v1/trajectories/{id}`.
    pub event: String,
    /// C(reate), R(ead), U(pdate), D(elete) or E(xecute).
    pub action: String,
    /// `success`, `denied`, `not_found`, `refused` or `failed`.
    pub outcome: String,
    pub status: u16,
    pub trajectory_id: Option<Uuid>,
    pub referral_id: Option<Uuid>,
    /// The user or system (`sub`).
    pub subject: Option<String>,
    /// The scopes it acted with.
    pub role: Option<String>,
    /// The organisation on whose behalf.
    pub org: Option<String>,
    /// The network address the request came from.
    pub address: Option<String>,
    pub request_id: Option<String>,
    pub purpose: String,
    /// The trajectories a list or feed response showed, beyond the one in its path.
    pub disclosed: Vec<Uuid>,
}

impl From<&AccessEntry> for AccessEntryView {
    fn from(e: &AccessEntry) -> Self {
        let r = &e.record;
        Self {
            id: e.id,
            recorded_at: e.recorded_at,
            event: r.event.clone(),
            action: r.action.to_string(),
            outcome: r.outcome.clone(),
            status: r.status,
            trajectory_id: r.trajectory_id,
            referral_id: r.referral_id,
            subject: r.subject.clone(),
            role: r.role.clone(),
            org: r.org.clone(),
            address: r.address.clone(),
            request_id: r.request_id.clone(),
            purpose: r.purpose.clone(),
            disclosed: r.disclosed.clone(),
        }
    }
}

/// The latest entries, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessLogView {
    pub items: Vec<AccessEntryView>,
}

/// Read a client's access log.
///
/// Every access to the client's trajectories and referrals, including refused attempts
/// and the reading of this log itself (which is logged too). For the treating provider
/// (its own trajectories of that client) and administrators.
#[utoipa::path(
    operation_id = "get_client_access_log",
    tag = "trajectories",
    params(("client_ref" = String, Path, description = "The provider's pseudonymous client reference")),
    responses(
        (status = 200, description = "The latest 500 entries", body = AccessLogView),
        (status = 400, description = "`client_ref` is not a client reference (1 to 64 of A-Z a-z 0-9 . _ : -)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No trajectory of this client visible to the caller",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/clients/{client_ref}/access-log")]
pub async fn client_access_log(
    principal: Principal,
    state: web::Data<AppState>,
    client_ref: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let visibility = policy::trajectory_readers(&principal)?;
    let client_ref: ClientRef = client_ref
        .parse()
        .map_err(|e: herstelbrug_domain::InvalidValue| ApiError::InvalidRequest(e.to_string()))?;
    let (trajectories, referrals) = state
        .trajectories
        .client_subjects(client_ref.as_str(), visibility)
        .await?;
    if trajectories.is_empty() {
        return Err(ApiError::NotFound);
    }
    let entries = state
        .access
        .about(
            &trajectories,
            &referrals,
            &[client_ref.as_str().to_owned()],
            (LIMIT, None),
        )
        .await?;
    Ok(HttpResponse::Ok().json(AccessLogView {
        items: entries.iter().map(AccessEntryView::from).collect(),
    }))
}
