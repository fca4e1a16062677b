//! `GET /v1/clients/{client_ref}/access-log`: who accessed this client's data (NEN 7513),
//! paged by cursor.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use herstelbrug_domain::ClientRef;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::AccessEntry;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::page::LogPage;
use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::query::StrictQuery;
use crate::state::AppState;

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

/// A page of entries, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessLogView {
    pub items: Vec<AccessEntryView>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

/// Read a client's access log.
///
/// Every access to the client's trajectories and referrals, including refused attempts
/// and the reading of this log itself (which is logged too), newest first; the cursor
/// `next_before` pages back through all of it. For the treating provider (its own
/// trajectories of that client) and administrators.
#[utoipa::path(
    operation_id = "get_client_access_log",
    tag = "trajectories",
    params(("client_ref" = String, Path, description = "The provider's pseudonymous client reference"), LogPage),
    responses(
        (status = 200, description = "A page of entries, newest first", body = AccessLogView),
        (status = 400, description = "`client_ref` is not a client reference (1 to 64 of A-Z a-z 0-9 . _ : -)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No trajectory of this client visible to the caller",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` or `before` out of range",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/clients/{client_ref}/access-log")]
pub async fn client_access_log(
    principal: Principal,
    state: web::Data<AppState>,
    client_ref: web::Path<String>,
    page: StrictQuery<LogPage>,
) -> Result<HttpResponse, ApiError> {
    let page = page.into_inner();
    let query = page.query()?;
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
            query,
        )
        .await?;
    let (entries, next_before) = page.cut(entries);
    Ok(HttpResponse::Ok().json(AccessLogView {
        items: entries.iter().map(AccessEntryView::from).collect(),
        next_before,
    }))
}
