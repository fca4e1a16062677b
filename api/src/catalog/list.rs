//! `GET /v1/services`: search the catalog.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use herstelbrug_domain::catalog::ServiceStatus;
use herstelbrug_domain::{GemeenteCode, OrgId, ReferralKind};
use herstelbrug_openapi::Problem;
use herstelbrug_persistence::{CatalogPosition, CatalogQuery, CatalogSort};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Principal;
use crate::catalog::dto::{FullForm, MinimalForm, ServiceList, ServiceView};
use crate::dto::schema;
use crate::error::ApiError;
use crate::http::query::StrictQuery;
use crate::http::{access_log, cursor};
use crate::identifier::dto::parse_token;
use crate::state::AppState;

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// Filters, order and paging of a catalog search.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Only this kind of support.
    #[param(schema_with = schema::referral_kind)]
    pub kind: Option<ReferralKind>,
    /// Only services serving this municipality, `gemeente:NNNN`.
    #[param(schema_with = schema::municipality)]
    pub serves: Option<String>,
    /// Only this status.
    #[param(schema_with = schema::service_status)]
    pub status: Option<String>,
    /// Only services that admit a client of this age.
    #[param(minimum = 0, maximum = 120)]
    pub age: Option<u8>,
    /// Only services whose capacity says there is room (`yes` or `waitlist`).
    pub with_capacity: Option<bool>,
    /// Only this organisation's services.
    #[param(schema_with = schema::org_id)]
    pub owner: Option<String>,
    /// Only services changed after this instant (for directories that sync).
    pub modified_after: Option<DateTime<Utc>>,
    /// Only the one the caller's organisation gave this identifier, written
    /// `system|value` (FHIR's token syntax).
    #[param(
        min_length = 3,
        max_length = 400,
        pattern = r"^[A-Za-z][A-Za-z0-9+.-]*:[!-{}~]+\|[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F])?$",
        example = "https://ehr.example.nl/episodes|EP-2026-00417"
    )]
    pub identifier: Option<String>,
    /// `measured_wait` (median days to acceptance, unmeasured last), `stated_wait` (none
    /// stated last), or the default: oldest first. Every order holds across the whole
    /// result, page after page.
    #[param(schema_with = schema::catalog_sort)]
    pub sort: Option<String>,
    /// The `next_cursor` of the previous page, with the same `sort`.
    #[param(max_length = 200)]
    pub after: Option<String>,
    /// Page size, 1 to 500 [default: 50].
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `minimal`: only each service's id and last change (`modified`), as HSDS's API
    /// offers for directories that sync; the default is the full record.
    #[param(schema_with = schema::catalog_form)]
    pub form: Option<String>,
}

/// A service as a syncing directory needs it: which, and when it last changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MinimalService {
    pub id: uuid::Uuid,
    pub modified: DateTime<Utc>,
}

/// A page of the catalog in the minimal form.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = crate::catalog::examples::minimal_list)]
pub struct MinimalServiceList {
    /// Always `minimal`.
    pub form: MinimalForm,
    pub items: Vec<MinimalService>,
    /// Pass as `after` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A catalog page: full records, or (`form=minimal`) ids and last changes.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ServicePage {
    Full(ServiceList),
    Minimal(MinimalServiceList),
}

/// Search the catalog.
///
/// Any authenticated organisation may. Sorting by waiting time orders the whole result:
/// the first page holds the shortest waits of all matches.
#[utoipa::path(
    operation_id = "search_services",
    tag = "catalog",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of services (with `form=minimal`: ids and last changes)", body = ServicePage),
        (status = 422, description = "A filter names no value the catalog knows",
            body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/services")]
pub async fn list(
    principal: Principal,
    state: web::Data<AppState>,
    req: HttpRequest,
    params: StrictQuery<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    // What a cursor is sealed to: every parameter but the cursor and the page size, and
    // the caller's organisation (identifiers are per organisation).
    let paged = format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        principal.org,
        p.kind,
        p.serves,
        p.status,
        p.age,
        p.with_capacity,
        p.owner,
        p.modified_after,
        p.identifier,
        p.sort,
        p.form
    );
    let seal = cursor::Seal {
        key: &state.cursor_key,
        query: &paged,
    };
    // Well-formed by the schema but not a value the catalog knows (`gemeente:0000`): 422.
    let invalid =
        |field: &str, e: &dyn std::fmt::Display| ApiError::Validation(format!("`{field}`: {e}"));
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidRequest(format!(
            "`limit` must be between 1 and {MAX_LIMIT}"
        )));
    }
    if p.age.is_some_and(|a| a > 120) {
        return Err(ApiError::InvalidRequest(
            "`age` must be between 0 and 120".to_owned(),
        ));
    }
    let sort = match p.sort.as_deref() {
        None => CatalogSort::Id,
        Some("measured_wait") => CatalogSort::MeasuredWait,
        Some("stated_wait") => CatalogSort::StatedWait,
        Some(other) => {
            return Err(invalid(
                "sort",
                &format!("{other:?}: expected measured_wait or stated_wait"),
            ));
        }
    };
    let query = CatalogQuery {
        kind: p.kind,
        serves: p
            .serves
            .as_deref()
            .map(str::parse::<GemeenteCode>)
            .transpose()
            .map_err(|e| invalid("serves", &e))?,
        status: p
            .status
            .as_deref()
            .map(str::parse::<ServiceStatus>)
            .transpose()
            .map_err(|e| invalid("status", &e))?,
        age: p.age,
        with_capacity: p.with_capacity.unwrap_or(false),
        owner: p
            .owner
            .as_deref()
            .map(str::parse::<OrgId>)
            .transpose()
            .map_err(|e| invalid("owner", &e))?,
        identifier: p
            .identifier
            .as_deref()
            .map(parse_token)
            .transpose()?
            .map(|id| (principal.org, id)),
        modified_after: p.modified_after,
        sort,
        after: p
            .after
            .as_deref()
            .map(|c| cursor::decode_service(sort, c, &seal))
            .transpose()?,
        limit: u64::from(limit),
        ..CatalogQuery::default()
    };
    let (entries, more) = state.catalog.search(&query, state.clock.now()).await?;
    let next_cursor = more
        .then(|| {
            entries.last().map(|e| {
                cursor::encode_service(
                    sort,
                    CatalogPosition {
                        key: sort.key(e),
                        id: e.service.id.as_uuid(),
                    },
                    &seal,
                )
            })
        })
        .flatten();
    access_log::nothing_disclosed(&req);
    match p.form.as_deref() {
        None | Some("full") => {}
        Some("minimal") => {
            return Ok(
                HttpResponse::Ok().json(ServicePage::Minimal(MinimalServiceList {
                    form: MinimalForm::Minimal,
                    items: entries
                        .iter()
                        .map(|e| MinimalService {
                            id: e.service.id.as_uuid(),
                            modified: e.service.updated_at,
                        })
                        .collect(),
                    next_cursor,
                })),
            );
        }
        Some(other) => {
            return Err(invalid(
                "form",
                &format!("{other:?}: expected minimal or full"),
            ));
        }
    }
    Ok(HttpResponse::Ok().json(ServicePage::Full(ServiceList {
        form: FullForm::Full,
        items: entries
            .iter()
            .map(|e| ServiceView::new(&e.service, &e.waiting))
            .collect(),
        next_cursor,
    })))
}
