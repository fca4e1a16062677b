//! `GET /v1/trajectories/{id}/consents/{cid}`: one consent, with its ETag.

use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_domain::ConsentId;
use herstelbrug_openapi::Problem;

use crate::auth::{Principal, policy};
use crate::consent::dto::ConsentView;
use crate::error::ApiError;
use crate::http::etag;
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Read a consent.
///
/// The `ETag` is what withdrawing needs in `If-Match`; send it back in `If-None-Match` to
/// get 304 while the consent is unchanged.
#[utoipa::path(
    operation_id = "get_consent",
    tag = "consents",
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("cid" = uuid::Uuid, Path, description = "The consent id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of the consent as last read"),
    ),
    responses(
        (status = 200, description = "The consent", body = ConsentView,
            headers(("ETag" = String, description = "The consent's version, for If-Match"))),
        (status = 304, description = "Unchanged since the ETag named in If-None-Match"),
        (status = 404, description = "No such consent on a trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/trajectories/{id}/consents/{cid}")]
pub async fn get(
    principal: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let (id, cid) = path.into_inner();
    let id = trajectory_id(&id)?;
    let cid: ConsentId = cid.parse().map_err(|_| ApiError::NotFound)?;
    let consent = state.consents.consent(id, cid, provider).await?;
    let today = state.clock.now().date_naive();
    Ok(etag::read_response(&req, consent.version(), || {
        ConsentView::new(&consent, today)
    }))
}
