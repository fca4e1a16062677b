//! `POST /v1/trajectories/{id}/referrals`: refer the client for follow-up support.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_domain::ReferralId;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{NewReferral, Write, WriteContext};

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::{Audit, CreatedSubject};
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::identifier::dto::parse_set;
use crate::referral::dto::{CreateReferralRequest, ProviderReferralView};
use crate::state::AppState;
use crate::trajectory::trajectory_id;

/// Refer the client.
///
/// Asks one organisation for one kind of support. A referral to any organisation other
/// than the treating provider needs the client's consent for that organisation
/// (`consent-required`); a second open referral of the same kind to the same organisation
/// is refused (`open-referral-exists`), as in iWmo.
#[utoipa::path(
    operation_id = "create_referral",
    tag = "referrals",
    request_body = CreateReferralRequest,
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
            description = "Makes a retry return the first response instead of referring twice."),
    ),
    responses(
        (status = 201, description = "Referred", body = ProviderReferralView, headers(
            ("ETag" = String, description = "The referral's version"),
            ("Location" = String, description = "The referral's URL"))),
        (status = 404, description = "No such trajectory of the caller's",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No valid consent, an identical open referral, or a closed trajectory",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value breaks a rule",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories/{id}/referrals")]
pub async fn create(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<CreateReferralRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let trajectory = trajectory_id(&id)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let request = body.parse()?;
    let identifiers = parse_set("identifiers", &body.identifiers)?;
    let now = state.clock.now();
    let referral = ReferralId::new_at(now);
    let entry = audit.entry(
        StatusCode::CREATED,
        CreatedSubject {
            trajectory_id: Some(trajectory.as_uuid()),
            referral_id: Some(referral.as_uuid()),
        },
    );
    let outcome = state
        .referrals
        .create(
            NewReferral {
                trajectory_id: trajectory,
                provider,
                id: referral,
                request,
                identifiers: &identifiers,
            },
            Write {
                context: WriteContext {
                    actor: &actor,
                    now,
                    audit: &entry,
                    key: key.as_ref(),
                },
                respond: &|record| {
                    let location = format!("/v1/referrals/{}", record.referral.id);
                    replay::stored(
                        StatusCode::CREATED,
                        &ProviderReferralView::from(record),
                        record.referral.version,
                        Some(location),
                    )
                },
            },
        )
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
