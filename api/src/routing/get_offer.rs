//! `GET /v1/offers/{oid}`: an offer and its candidates, as one thing.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use herstelbrug_openapi::Problem;

use super::offer_id;
use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::{access_log, etag};
use crate::routing::dto::OfferView;
use crate::state::AppState;

/// Read an offer.
///
/// Only its requester may: which candidates were asked, who accepted, who was not
/// selected, and when.
#[utoipa::path(
    operation_id = "get_offer",
    tag = "referrals",
    params(("oid" = uuid::Uuid, Path, description = "The offer id")),
    responses(
        (status = 200, description = "The offer", body = OfferView,
            headers(("ETag" = String, description = "The offer's version"))),
        (status = 404, description = "No such offer of the caller's",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/offers/{oid}")]
pub async fn get_offer(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    oid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (provider, _) = policy::trajectory_writer(&principal)?;
    let record = state
        .offers
        .offer(offer_id(&oid)?, provider, state.clock.now())
        .await?;
    access_log::disclosed(&req, [record.offer.trajectory_id.as_uuid()]);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag::etag(record.offer.version)))
        .json(OfferView::from(&record)))
}
