//! Bearer-token authentication: every failure is one identical 401; JWKS keys by `kid`
//! with the algorithm pinned per key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{AUDIENCE, ISSUER, PROVIDER_A, SECRET, TestApp, at_jwt, token, token_with};

const JWKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/jwks-test.json");
const ED25519_PEM: &[u8] = include_bytes!("../../fixtures/ed25519-test-private.pem");

fn claims() -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "ehr-system", "exp": now + 600, "iat": now,
           "scope": "provider", "org": PROVIDER_A})
}

fn eddsa(kid: Option<&str>, claims: &Value) -> String {
    eddsa_with(ED25519_PEM, kid, claims)
}

fn eddsa_with(pem: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let mut header = at_jwt(Header::new(Algorithm::EdDSA));
    header.kid = kid.map(str::to_owned);
    encode(
        &header,
        claims,
        &EncodingKey::from_ed_pem(pem).expect("test key"),
    )
    .expect("signs")
}

fn hs(alg: Algorithm, typ: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.typ = typ.map(str::to_owned);
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("signs")
}

fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

fn tampered() -> String {
    let valid = token(PROVIDER_A, "provider");
    let (rest, signature) = valid.rsplit_once('.').expect("three parts");
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).expect("base64");
    bytes[0] ^= 0x01;
    format!("{rest}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

async fn assert_all_refused_identically(app: &TestApp, tokens: Vec<(&str, Option<String>)>) {
    let mut bodies = Vec::new();
    for (case, token) in tokens {
        let mut request = app.client.get(app.url("/v1/trajectories"));
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), 401, "{case}");
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"herstelbrug\", error=\"invalid_token\"",
            "{case}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{case}"
        );
        bodies.push((case, response.text().await.expect("body")));
    }
    for (case, body) in &bodies {
        assert_eq!(
            body, &bodies[0].1,
            "{case} answers the same body as {}",
            bodies[0].0
        );
    }
}

#[tokio::test]
async fn every_bad_token_gets_the_same_401() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let cases = vec![
        ("missing", None),
        ("garbage", Some("not.a.jwt".to_owned())),
        (
            "expired",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c["exp"] = json!(now - 3600)
            })),
        ),
        (
            "not yet valid",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c["nbf"] = json!(now + 3600)
            })),
        ),
        (
            "wrong audience",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c["aud"] = json!("someone-else")
            })),
        ),
        (
            "audience array without us",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c["aud"] = json!(["a", "b"])
            })),
        ),
        (
            "wrong issuer",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c["iss"] = json!("evil")
            })),
        ),
        (
            "missing sub",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c.as_object_mut().map(|o| o.remove("sub"));
            })),
        ),
        (
            "missing exp",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c.as_object_mut().map(|o| o.remove("exp"));
            })),
        ),
        ("bad org", Some(token_with("agb:123", "provider", |_| {}))),
        ("alg none", Some(unsigned(&claims()))),
        ("tampered signature", Some(tampered())),
        (
            "other secret",
            Some(
                encode(
                    &at_jwt(Header::default()),
                    &claims(),
                    &EncodingKey::from_secret(b"another-secret-that-is-32-bytes-long!!"),
                )
                .expect("signs"),
            ),
        ),
        ("unknown kid", Some(eddsa(Some("nobody"), &claims()))),
        (
            "missing iss",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c.as_object_mut().map(|o| o.remove("iss"));
            })),
        ),
        (
            "missing aud",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c.as_object_mut().map(|o| o.remove("aud"));
            })),
        ),
        (
            "missing iat",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c.as_object_mut().map(|o| o.remove("iat"));
            })),
        ),
        (
            "issued in the future",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c["iat"] = json!(now + 3600)
            })),
        ),
        (
            "lives too long",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c["iat"] = json!(now);
                c["exp"] = json!(now + 3 * 86_400);
            })),
        ),
        (
            "exp as a string",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c["exp"] = json!((now + 600).to_string())
            })),
        ),
        (
            "nbf as a string",
            Some(token_with(PROVIDER_A, "provider", |c| {
                c["nbf"] = json!("yesterday")
            })),
        ),
        (
            "typ JWT instead of at+jwt",
            Some(hs(Algorithm::HS256, Some("JWT"), &claims())),
        ),
        ("no typ", Some(hs(Algorithm::HS256, None, &claims()))),
        (
            "algorithm switched within the family",
            Some(hs(Algorithm::HS384, Some("at+jwt"), &claims())),
        ),
    ];
    assert_all_refused_identically(&app, cases).await;
}

#[tokio::test]
async fn a_token_only_in_the_query_string_is_refused() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let response = app
        .client
        .get(app.url(&format!("/v1/trajectories?access_token={t}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn jwks_keys_verify_by_kid_with_their_pinned_algorithm() {
    let app = TestApp::spawn_with(|c| c.jwks_file = Some(JWKS.into())).await;
    let ok = app
        .client
        .get(app.url("/v1/trajectories"))
        .bearer_auth(eddsa(Some("test-ed25519"), &claims()))
        .send()
        .await
        .expect("sent");
    assert_eq!(ok.status(), 200, "an EdDSA token from the JWKS is accepted");
    let hs256 = app
        .client
        .get(app.url("/v1/trajectories"))
        .bearer_auth(token(PROVIDER_A, "provider"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        hs256.status(),
        200,
        "the configured HS256 secret still works"
    );

    // HS256 signed with the public key's bytes, claiming the EdDSA key's kid.
    let mut header = at_jwt(Header::new(Algorithm::HS256));
    header.kid = Some("test-ed25519".to_owned());
    let public_x = "VGE7rcu1fGjoTCNsrhKrMEgt436MDtszFA0hyVxZSgI";
    let confused = encode(
        &header,
        &claims(),
        &EncodingKey::from_secret(public_x.as_bytes()),
    )
    .expect("signs");
    let cases = vec![
        ("algorithm switched for the kid", Some(confused)),
        ("EdDSA without kid", Some(eddsa(None, &claims()))),
        ("unknown kid", Some(eddsa(Some("other"), &claims()))),
    ];
    assert_all_refused_identically(&app, cases).await;
}

#[tokio::test]
async fn rotated_jwks_keys_are_picked_up_without_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jwks = dir.path().join("jwks.json");
    let key = |kid: &str, x: &str| json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "alg": "EdDSA", "use": "sig", "x": x});
    let old_x = "VGE7rcu1fGjoTCNsrhKrMEgt436MDtszFA0hyVxZSgI";
    let new_x = include_str!("../../fixtures/ed25519-test-2.x").trim();
    let new_pem: &[u8] = include_bytes!("../../fixtures/ed25519-test-private-2.pem");
    std::fs::write(&jwks, json!({"keys": [key("old", old_x)]}).to_string()).expect("writes");
    let app = TestApp::spawn_with(|c| {
        c.jwks_file = Some(jwks.clone());
        c.jwt_secret = None;
        c.jwt_secret_file = Some(dir.path().join("unused-secret"));
    })
    .await;
    let status = |token: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/v1/trajectories"))
                .bearer_auth(token)
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        }
    };
    assert_eq!(status(eddsa(Some("old"), &claims())).await, 200);
    assert_eq!(
        status(eddsa_with(new_pem, Some("new"), &claims())).await,
        401,
        "not yet published"
    );
    assert_eq!(
        status(token(PROVIDER_A, "provider")).await,
        401,
        "no HS256 when only a JWKS is configured"
    );

    // Rotation with overlap: both keys published; later the old one withdrawn.
    std::fs::write(
        &jwks,
        json!({"keys": [key("old", old_x), key("new", new_x)]}).to_string(),
    )
    .expect("writes");
    let mut picked_up = false;
    for _ in 0..100 {
        if status(eddsa_with(new_pem, Some("new"), &claims())).await == 200 {
            picked_up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(picked_up, "the new key works without a restart");
    assert_eq!(
        status(eddsa(Some("old"), &claims())).await,
        200,
        "the old key still works during the overlap"
    );
    std::fs::write(&jwks, json!({"keys": [key("new", new_x)]}).to_string()).expect("writes");
    let mut withdrawn = false;
    for _ in 0..100 {
        if status(eddsa(Some("old"), &claims())).await == 401 {
            withdrawn = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(withdrawn, "a withdrawn key stops working");
    let _ = SECRET;
}
