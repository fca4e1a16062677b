//! `/mijn/`: the client's own page, in plain Dutch. Its assets are built from `dashboard/`
//! (a TypeScript client generated from the contract) and compiled into the binary, so the
//! server needs no Node and the page no outside host. `/mijn/config` tells the page where
//! to sign in: the configured issuer, or the local development issuer.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::http::page::asset;

const INDEX: &str = include_str!("../../static/mijn/index.html");
const SCRIPT: &str = include_str!("../../static/mijn/app.js");
const STYLE: &str = include_str!("../../static/mijn/style.css");

/// Only the page's own assets and its issuer; no inline code, no framing.
pub const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self' https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Where the page signs people in.
#[derive(Debug, Clone, Serialize)]
pub struct SignIn {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub client_id: String,
    /// The local development issuer: a tester picks a fictional person.
    pub development: bool,
}

pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route("/mijn", web::get().to(index))
        .route("/mijn/", web::get().to(index))
        .route("/mijn/app.js", web::get().to(script))
        .route("/mijn/style.css", web::get().to(style))
        .route("/mijn/config", web::get().to(config));
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

async fn config(sign_in: web::Data<Option<SignIn>>) -> HttpResponse {
    match sign_in.as_ref() {
        Some(s) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .json(s),
        None => HttpResponse::NotFound()
            .insert_header((header::CONTENT_TYPE, herstelbrug_openapi::PROBLEM_CONTENT_TYPE))
            .body(r#"{"type":"https://herstelbrug.nl/problems/not-found","title":"Not found","status":404,"detail":"no person sign-in is configured"}"#),
    }
}
