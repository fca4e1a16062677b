//! The local development issuer: on the embedded default with no person issuer configured,
//! a tester signs in as a fictional person through a real authorization-code flow with
//! PKCE (`/dev-issuer/authorize`, `/dev-issuer/token`), so the whole flow of `/mijn/` runs
//! with no outside service. Requests from this machine only; off wherever a real issuer is
//! configured. The people are fictional; their BSNs are test numbers (999 99 ...).

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::http::page::from_this_machine;

/// A fictional person the development issuer offers.
pub struct DevPerson {
    pub key: &'static str,
    pub label: &'static str,
    pub bsn: &'static str,
    pub acr: &'static str,
    pub represents: Option<(&'static str, &'static str)>,
}

/// The people of the demo: the client whose trajectory `herstelbrug demo` registers with a
/// BSN, someone authorised by her, her sister, and one sign-in too weak to be accepted.
pub const DEV_PEOPLE: &[DevPerson] = &[
    DevPerson {
        key: "sanne",
        label: "Sanne de Vries (cliënt)",
        bsn: "999990019",
        acr: "http://eidas.europa.eu/LoA/substantial",
        represents: None,
    },
    DevPerson {
        key: "kees",
        label: "Kees de Vries, gemachtigde van Sanne",
        bsn: "999990032",
        acr: "http://eidas.europa.eu/LoA/substantial",
        represents: Some(("999990019", "gemachtigde")),
    },
    DevPerson {
        key: "anna",
        label: "Anna de Vries, zus van Sanne (naaste)",
        bsn: "999990044",
        acr: "http://eidas.europa.eu/LoA/substantial",
        represents: None,
    },
    DevPerson {
        key: "midden",
        label: "Jan Jansen, ingelogd met DigiD Midden (te laag: wordt geweigerd)",
        bsn: "999990056",
        acr: "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        represents: None,
    },
];

struct Pending {
    person: &'static DevPerson,
    challenge: String,
    redirect_uri: String,
    client_id: String,
    until: DateTime<Utc>,
}

/// The development issuer, when this server offers it.
pub struct DevIssuer {
    pub issuer: String,
    audience: String,
    secret: Vec<u8>,
    codes: Mutex<HashMap<String, Pending>>,
}

#[derive(Debug, Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: String,
    iat: i64,
    exp: i64,
    acr: &'a str,
    bsn: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    represents: Option<serde_json::Value>,
}

impl DevIssuer {
    pub fn new(issuer: String, audience: String, secret: Vec<u8>) -> Self {
        Self {
            issuer,
            audience,
            secret,
            codes: Mutex::new(HashMap::new()),
        }
    }

    /// A person token for `person`, as the token endpoint gives it (also for the demo).
    pub fn token_for(&self, person: &DevPerson, now: DateTime<Utc>) -> Result<String, ApiError> {
        let claims = Claims {
            iss: &self.issuer,
            aud: &self.audience,
            sub: format!("dev-{}", person.key),
            iat: now.timestamp(),
            exp: (now + Duration::hours(1)).timestamp(),
            acr: person.acr,
            bsn: person.bsn,
            represents: person
                .represents
                .map(|(bsn, kind)| serde_json::json!({"bsn": bsn, "kind": kind})),
        };
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.typ = Some("at+jwt".to_owned());
        jsonwebtoken::encode(
            &header,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(&self.secret),
        )
        .map_err(|e| ApiError::Internal(format!("dev issuer: {e}")))
    }
}

pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route("/dev-issuer/authorize", web::get().to(authorize_page))
        .route("/dev-issuer/authorize", web::post().to(authorize))
        .route("/dev-issuer/token", web::post().to(token));
}

fn issuer<'a>(
    req: &HttpRequest,
    dev: &'a web::Data<Option<DevIssuer>>,
) -> Result<&'a DevIssuer, ApiError> {
    dev.as_ref()
        .as_ref()
        .filter(|_| from_this_machine(req))
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Deserialize)]
struct AuthorizeQuery {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
    #[serde(default)]
    #[allow(dead_code)]
    scope: Option<String>,
}

/// A query string or form body, read only once the issuer is known to be on (so a server
/// without it answers 404 to anything).
fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_urlencoded::from_bytes(bytes).map_err(|e| ApiError::InvalidRequest(e.to_string()))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The redirect must go back to a `/mijn/` page on this machine.
fn redirect_ok(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.path() == "/mijn/"
            && u.query().is_none()
            && match u.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            }
    })
}

fn check(q: &AuthorizeQuery) -> Result<(), ApiError> {
    if q.response_type != "code" {
        return Err(ApiError::Validation(
            "`response_type`: only `code`".to_owned(),
        ));
    }
    if q.code_challenge_method != "S256" || q.code_challenge.len() < 43 {
        return Err(ApiError::Validation(
            "`code_challenge`: PKCE with S256 is required".to_owned(),
        ));
    }
    if !redirect_ok(&q.redirect_uri) {
        return Err(ApiError::Validation(
            "`redirect_uri`: the /mijn/ page on this machine".to_owned(),
        ));
    }
    Ok(())
}

/// The sign-in page: pick a fictional person.
async fn authorize_page(
    req: HttpRequest,
    dev: web::Data<Option<DevIssuer>>,
) -> Result<HttpResponse, ApiError> {
    issuer(&req, &dev)?;
    let query: AuthorizeQuery = parse(req.query_string().as_bytes())?;
    check(&query)?;
    let hidden: String = [
        ("response_type", &query.response_type),
        ("client_id", &query.client_id),
        ("redirect_uri", &query.redirect_uri),
        ("state", &query.state),
        ("code_challenge", &query.code_challenge),
        ("code_challenge_method", &query.code_challenge_method),
    ]
    .iter()
    .map(|(name, value)| {
        format!(
            r#"<input type="hidden" name="{name}" value="{}">"#,
            escape(value)
        )
    })
    .collect();
    let choices: String = DEV_PEOPLE
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let checked = if i == 0 { " checked" } else { "" };
            format!(
                r#"<div class="keuze"><input type="radio" id="p-{k}" name="person" value="{k}"{checked}><label for="p-{k}">{l}</label></div>"#,
                k = p.key,
                l = escape(p.label)
            )
        })
        .collect();
    let page = format!(
        r#"<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inloggen (testomgeving)</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/mijn/style.css"></head>
<body><main id="inhoud"><h1>Inloggen in de testomgeving</h1>
<p>Dit is geen echte DigiD. Kies een verzonnen persoon om mee in te loggen.</p>
<form method="post" action="/dev-issuer/authorize"><fieldset><legend>Inloggen als</legend>{choices}</fieldset>{hidden}
<button type="submit" id="inloggen">Inloggen</button></form></main></body></html>"#
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CONTENT_SECURITY_POLICY, super::page::POLICY))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page))
}

#[derive(Debug, Deserialize)]
struct AuthorizeForm {
    person: String,
    #[serde(flatten)]
    request: AuthorizeQuery,
}

/// The person was picked: back to the page with a one-time code.
async fn authorize(
    req: HttpRequest,
    dev: web::Data<Option<DevIssuer>>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let issuer = issuer(&req, &dev)?;
    let form: AuthorizeForm = parse(&body)?;
    check(&form.request)?;
    let person = DEV_PEOPLE
        .iter()
        .find(|p| p.key == form.person)
        .ok_or_else(|| {
            ApiError::Validation("`person`: not one of the people offered".to_owned())
        })?;
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    let code = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    let mut codes = issuer.codes.lock().unwrap_or_else(|p| p.into_inner());
    codes.retain(|_, p| p.until > now);
    codes.insert(
        code.clone(),
        Pending {
            person,
            challenge: form.request.code_challenge.clone(),
            redirect_uri: form.request.redirect_uri.clone(),
            client_id: form.request.client_id.clone(),
            until: now + Duration::minutes(2),
        },
    );
    let mut target = url::Url::parse(&form.request.redirect_uri)
        .map_err(|e| ApiError::Validation(format!("`redirect_uri`: {e}")))?;
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &form.request.state);
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target.to_string()))
        .finish())
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    client_id: String,
    code_verifier: String,
}

/// The token endpoint: the code once, with the verifier that matches its challenge.
async fn token(
    req: HttpRequest,
    dev: web::Data<Option<DevIssuer>>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let issuer = issuer(&req, &dev)?;
    let form: TokenForm = parse(&body)?;
    let refuse = |why: &str| {
        HttpResponse::BadRequest()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({"error": "invalid_grant", "error_description": why}))
    };
    if form.grant_type != "authorization_code" {
        return Ok(refuse("only authorization_code"));
    }
    let pending = issuer
        .codes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&form.code);
    let Some(pending) = pending.filter(|p| p.until > Utc::now()) else {
        return Ok(refuse("unknown, used or expired code"));
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(form.code_verifier.as_bytes()));
    if challenge != pending.challenge {
        return Ok(refuse("code_verifier does not match the challenge"));
    }
    if form.redirect_uri != pending.redirect_uri || form.client_id != pending.client_id {
        return Ok(refuse(
            "redirect_uri or client_id differs from the authorization request",
        ));
    }
    let token = issuer.token_for(pending.person, Utc::now())?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
        })))
}
