//! What the pages for people (the dashboard, the client's page, the development sign-in)
//! share: their compiled-in assets served under a strict Content-Security-Policy, and the
//! check that a development-only request comes from this machine.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// One of a page's own assets, under `policy`, never sniffed, never cached stale, sent
/// with no `Referer` onwards.
pub fn asset(content_type: &str, body: &'static str, policy: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_SECURITY_POLICY, policy))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

/// Whether the request comes from a loopback address: the development sign-ins answer
/// nobody else.
pub fn from_this_machine(req: &HttpRequest) -> bool {
    req.peer_addr().is_some_and(|a| a.ip().is_loopback())
}
