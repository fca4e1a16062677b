//! Who accessed my data (Wabvpz art. 15e): `GET /v1/me/access-log`, paged with a cursor,
//! and the same entries as FHIR `AuditEvent` resources.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::AccessEntry;

use crate::access_log::page::LogPage;
use crate::auth::person::PersonPrincipal;
use crate::error::ApiError;
use crate::fhir::audit_event;
use crate::http::query::StrictQuery;
use crate::person::dto::{MyAccessEntry, MyAccessReport};
use crate::person::view;
use crate::state::AppState;

/// What kind of data an operation touched, in words.
fn what(event: &str) -> &'static str {
    let parts = [
        ("/access-log", "Wie uw gegevens bekeek"),
        ("/consents", "Uw toestemmingen"),
        ("/participants", "Wie bij u betrokken is"),
        ("/warm-handoff", "Afspraken voor de overdracht"),
        ("/overview", "Het overzicht van uw traject"),
        ("/alerts", "Signalen over uw traject"),
        ("/invitations", "Uitnodigingscodes"),
        ("/naasten", "Uw naasten"),
        ("/copy", "Een kopie van uw gegevens"),
        ("/referrals", "Uw verwijzingen"),
        ("/fhir/", "Uw gegevens (FHIR)"),
        ("/trajectories", "Uw traject"),
        ("/me", "Uw eigen pagina"),
    ];
    parts
        .iter()
        .find(|(needle, _)| event.contains(needle))
        .map_or("Uw gegevens", |(_, words)| words)
}

fn entry(e: &AccessEntry) -> MyAccessEntry {
    let r = &e.record;
    let (who, who_label) = match r.org.as_deref().and_then(|o| o.parse().ok()) {
        Some(org) => (
            r.org.clone().unwrap_or_default(),
            view::organisation(org).label,
        ),
        None => {
            let role = r.role.clone().unwrap_or_default();
            let label = match role.as_str() {
                "client" => "U zelf",
                "vertegenwoordiger" => "Uw vertegenwoordiger",
                "naaste" => "Een naaste",
                _ => "Onbekend",
            };
            (role, label.to_owned())
        }
    };
    MyAccessEntry {
        id: e.id,
        at: e.recorded_at,
        who,
        who_label,
        role: r.role.clone(),
        what: what(&r.event).to_owned(),
        action: r.action.to_string(),
        outcome: r.outcome.clone(),
        purpose: r.purpose.clone(),
    }
}

async fn entries(
    state: &AppState,
    person: &PersonPrincipal,
    page: &LogPage,
) -> Result<(Vec<AccessEntry>, Option<i64>), ApiError> {
    let query = page.query()?;
    let (trajectories, referrals) = state.persons.own_subjects(&person.key).await?;
    let found = state
        .access
        .about(&trajectories, &referrals, &[], query)
        .await?;
    Ok(page.cut(found))
}

/// Read who accessed my data.
///
/// Every access to the client's trajectories and referrals, by organisations and by
/// people, also refused attempts and the reading of this report itself, newest first.
#[utoipa::path(
    operation_id = "read_my_access_log",
    tag = "me",
    params(LogPage),
    responses(
        (status = 200, description = "A page of entries", body = MyAccessReport),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[get("/me/access-log")]
pub async fn report(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    params: StrictQuery<LogPage>,
) -> Result<HttpResponse, ApiError> {
    let (found, next) = entries(&state, &person, &params.into_inner()).await?;
    Ok(HttpResponse::Ok().json(MyAccessReport {
        items: found.iter().map(entry).collect(),
        next_before: next,
    }))
}

/// Read who accessed my data, as FHIR AuditEvents.
///
/// The same page as `read_my_access_log`, as a FHIR R4 `collection` Bundle of
/// `AuditEvent` resources; the next page is in the `Link` header.
#[utoipa::path(
    operation_id = "read_my_audit_events",
    tag = "me",
    params(LogPage),
    responses(
        (status = 200, description = "A Bundle of AuditEvent", content_type = "application/fhir+json",
            body = Object),
        (status = 401, description = "No valid person token",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` out of range",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("person" = []))
)]
#[get("/me/access-log/audit-events")]
pub async fn audit_events(
    person: PersonPrincipal,
    state: web::Data<AppState>,
    params: StrictQuery<LogPage>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let (found, next) = entries(&state, &person, &params).await?;
    let bundle = audit_event::collection(found.iter().map(audit_event::audit_event).collect());
    let mut response = HttpResponse::Ok();
    response.content_type("application/fhir+json");
    if let Some(next) = next {
        let limit = params.size();
        response.insert_header((
            header::LINK,
            format!("</v1/me/access-log/audit-events?before={next}&limit={limit}>; rel=\"next\""),
        ));
    }
    Ok(response.json(bundle))
}
