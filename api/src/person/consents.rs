//! The client's consents: `GET /v1/me/trajectories/{id}/consents`, giving consent to the
//! organisation a referral is addressed to, and withdrawing one, with the same immediate
//! effects as when the treating provider records the withdrawal.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use herstelbrug_domain::{BoundedText, ConsentGrant, ConsentId};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::ConsentWithdrawal;

use crate::auth::person::PersonPrincipal;
use crate::consent::dto::PURPOSE_MAX;
use crate::error::ApiError;
use crate::http::access_log::Audit;
use crate::http::json_body::StrictJson;
use crate::http::{etag, replay};
use crate::person::dto::{GiveConsentRequest, MyConsentList, MyConsentView};
use crate::person::{steering, view};
use crate::state::AppState;

/// List my consents.
///
/// Every consent recorded on the trajectory, by the treating provider or by the client,
/// with its status today; withdrawn ones stay listed.
#[utoipa::path(
    operation_id = "list_my_consents",
    tag = "me",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    responses(
        (status = 200, description = "Every consent, oldest first", body = MyConsentList),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A naaste does not see consents",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a trajectory of this person",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[get("/me/trajectories/{id}/consents")]
pub async fn list(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let stand = steering(&state, &person, &id).await?;
    let t = &stand.trajectory;
    let today = state.clock.now().date_naive();
    let consents = state.consents.consents(t.id, t.treating_provider).await?;
    Ok(HttpResponse::Ok().json(MyConsentList {
        items: consents.iter().map(|c| view::consent(c, today)).collect(),
    }))
}

/// Give consent to a referral's organisation.
///
/// The organisation the referral is addressed to may then see the client's details
/// (as the disclosure table says). The history records the client (or representative).
#[utoipa::path(
    operation_id = "give_my_consent",
    tag = "me",
    params(("id" = uuid::Uuid, Path, description = "The trajectory id")),
    request_body = GiveConsentRequest,
    responses(
        (status = 201, description = "Recorded", body = MyConsentView),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A naaste cannot give consent",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a trajectory or referral of this person",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The purpose is too long",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[post("/me/trajectories/{id}/consents")]
pub async fn give(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    audit: Audit,
    id: web::Path<String>,
    body: StrictJson<GiveConsentRequest>,
) -> Result<HttpResponse, ApiError> {
    let stand = steering(&state, &person, &id).await?;
    let body = body.into_inner();
    let t = &stand.trajectory;
    let now = state.clock.now();
    let referral = state
        .persons
        .referral(
            t.id,
            herstelbrug_domain::ReferralId::from_uuid(body.referral_id),
        )
        .await?;
    let purpose = body.purpose.as_deref().unwrap_or("Verwijzing");
    let grant = ConsentGrant {
        organisation: referral.recipient,
        purpose: BoundedText::parse("purpose", purpose, PURPOSE_MAX)
            .map_err(|e| ApiError::Validation(e.to_string()))?,
        given_on: now.date_naive(),
        expires_on: None,
    };
    let parts = audit.prepare(
        person.actor(stand.standing.role()),
        StatusCode::CREATED,
        None,
    );
    let today = now.date_naive();
    let outcome = state
        .consents
        .record_consent(t.id, t.treating_provider, grant, parts.context(now), &|c| {
            replay::stored(
                StatusCode::CREATED,
                &view::consent(c, today),
                c.version(),
                Some(format!("/v1/me/trajectories/{}/consents", t.id)),
            )
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}

/// Withdraw my consent.
///
/// Takes effect at once, as when the treating provider records it: the organisation
/// stops seeing the client's details and open referrals to it are cancelled.
#[utoipa::path(
    operation_id = "withdraw_my_consent",
    tag = "me",
    params(
        ("id" = uuid::Uuid, Path, description = "The trajectory id"),
        ("cid" = uuid::Uuid, Path, description = "The consent id"),
        ("If-Match" = String, Header, pattern = r#"^"[0-9]{1,9}"$"#, description = "The consent's current ETag"),
    ),
    responses(
        (status = 200, description = "Withdrawn", body = MyConsentView),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A naaste cannot withdraw consent",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consent on a trajectory of this person",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already withdrawn",
            body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is not the current version",
            body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[post("/me/trajectories/{id}/consents/{cid}/withdraw")]
pub async fn withdraw(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    req: HttpRequest,
    audit: Audit,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, cid) = path.into_inner();
    let stand = steering(&state, &person, &id).await?;
    let cid: ConsentId = cid.parse().map_err(|_| ApiError::NotFound)?;
    let if_match = etag::required_match(&req)?;
    let t = &stand.trajectory;
    let now = state.clock.now();
    let today = now.date_naive();
    let parts = audit.prepare(person.actor(stand.standing.role()), StatusCode::OK, None);
    let withdrawal = ConsentWithdrawal {
        trajectory_id: t.id,
        consent_id: cid,
        provider: t.treating_provider,
        if_match,
        reason: None,
    };
    let outcome = state
        .consents
        .withdraw_consent(withdrawal, parts.context(now), &|c| {
            replay::stored(StatusCode::OK, &view::consent(c, today), c.version(), None)
        })
        .await?;
    audit.settle(&outcome);
    Ok(replay::respond(outcome))
}
