//! `POST /v1/trajectories`: register a trajectory for a client of the caller's organisation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use herstelbrug_domain::TrajectoryId;
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{NewTrajectory, Write, WriteContext};

use crate::auth::{Principal, policy};
use crate::error::ApiError;
use crate::http::access_log::{Audit, CreatedSubject};
use crate::http::json_body::StrictJson;
use crate::http::{idempotency, replay};
use crate::identifier::dto::parse_set;
use crate::state::AppState;
use crate::trajectory::dto::{CreateTrajectoryRequest, TrajectoryView};

/// Register a trajectory.
///
/// The treating provider is the caller's organisation. A client has at most one open
/// trajectory per provider; a re-admission after closure registers a new one.
#[utoipa::path(
    operation_id = "register_trajectory",
    tag = "trajectories",
    request_body = CreateTrajectoryRequest,
    params(("Idempotency-Key" = Option<String>, Header, max_length = 257, pattern = r#"^[!#-~]{1,255}$|^"[!#-~]{1,255}"$"#,
        description = "Makes a retry return the first response instead of registering twice.")),
    responses(
        (status = 201, description = "Registered", body = TrajectoryView, headers(
            ("ETag" = String, description = "The version, for If-Match"),
            ("Location" = String, description = "The trajectory's URL"))),
        (status = 409, description = "The client already has an open trajectory here",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value breaks a rule (identifier form, date order)",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/trajectories")]
pub async fn create(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    body: StrictJson<CreateTrajectoryRequest>,
) -> Result<HttpResponse, ApiError> {
    let (provider, actor) = policy::trajectory_writer(&principal)?;
    let body = body.into_inner();
    let key = idempotency::key_for(&req, principal.org, &body)?;
    let bsn = body
        .bsn
        .as_ref()
        .map(|input| {
            input.parse().and_then(|bsn| {
                state
                    .bsn
                    .seal(&bsn)
                    .map_err(|e| ApiError::Internal(e.to_string()))
            })
        })
        .transpose()?;
    let identifiers = parse_set("identifiers", &body.identifiers)?;
    let registration = body.into_registration()?;
    let now = state.clock.now();
    let id = TrajectoryId::new_at(now);
    let entry = audit.entry(
        StatusCode::CREATED,
        CreatedSubject {
            trajectory_id: Some(id.as_uuid()),
            referral_id: None,
        },
    );
    let outcome = state
        .trajectories
        .register(
            NewTrajectory {
                id,
                registration,
                provider,
                bsn: bsn.as_ref(),
                identifiers: &identifiers,
            },
            Write {
                context: WriteContext {
                    actor: &actor,
                    now,
                    audit: &entry,
                    key: key.as_ref(),
                },
                respond: &|t| {
                    let location = format!("/v1/trajectories/{}", t.id);
                    replay::stored(
                        StatusCode::CREATED,
                        &TrajectoryView::from(t),
                        t.version,
                        Some(location),
                    )
                },
            },
        )
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
