//! `/dashboard`: the page for people who would rather look than read. Its assets are
//! compiled into the binary (built from `dashboard/` and committed), so the server needs no
//! Node and the page no outside host. A local development login mints a dashboard token
//! on the embedded default only, for requests from this machine.

use actix_web::{HttpRequest, HttpResponse, web};
use herstelbrug_domain::OrgId;
use serde::Deserialize;

use crate::config::Config;
use crate::demo::organisations::DEMO_ORGANISATIONS;
use crate::error::ApiError;
use crate::http::page::{asset, from_this_machine};

const INDEX: &str = include_str!("../static/dashboard/index.html");
const SCRIPT: &str = include_str!("../static/dashboard/app.js");
const STYLE: &str = include_str!("../static/dashboard/style.css");

/// Only the page's own assets, no inline code, no framing.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The development login, when this server may offer it: the embedded default with the
/// generated development secret (no configured secret, no JWKS).
#[derive(Clone)]
pub struct DevLogin(Option<Config>);

impl DevLogin {
    pub fn from_config(config: &Config) -> Self {
        let local =
            config.is_embedded() && config.jwt_secret.is_none() && config.jwks_file.is_none();
        Self(local.then(|| config.clone()))
    }
}

pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard", web::get().to(index))
        .route("/dashboard/", web::get().to(index))
        .route("/dashboard/app.js", web::get().to(script))
        .route("/dashboard/style.css", web::get().to(style))
        .route("/dashboard/dev-login", web::get().to(dev_organisations))
        .route("/dashboard/dev-login", web::post().to(dev_login));
}

async fn index() -> HttpResponse {
    asset("text/html; charset=utf-8", INDEX, POLICY)
}

async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", SCRIPT, POLICY)
}

async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE, POLICY)
}

/// The organisations the development login offers.
async fn dev_organisations(
    req: HttpRequest,
    login: web::Data<DevLogin>,
) -> Result<HttpResponse, ApiError> {
    if login.0.is_none() || !from_this_machine(&req) {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({"organisations": DEMO_ORGANISATIONS})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DevLoginRequest {
    org: String,
}

/// A dashboard token for one hour, for an `agb:` or `gemeente:` organisation.
async fn dev_login(
    req: HttpRequest,
    login: web::Data<DevLogin>,
    body: web::Json<DevLoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let config = login
        .0
        .as_ref()
        .filter(|_| from_this_machine(&req))
        .ok_or(ApiError::NotFound)?;
    match body.org.parse::<OrgId>() {
        Ok(OrgId::Agb(_) | OrgId::Gemeente(_)) => {}
        _ => {
            return Err(ApiError::Validation(
                "`org`: an agb: or gemeente: organisation".to_owned(),
            ));
        }
    }
    let token = crate::auth::token::mint(config, &body.org, "dashboard", "dashboard-dev", 3600)
        .map_err(ApiError::Validation)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"token": token})))
}
