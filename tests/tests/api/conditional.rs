//! Conditional requests as RFC 9110 defines them: `If-Match` with `*`, lists, weak and
//! foreign tags on every kind of conditional write, and `ETag` with `If-None-Match` → 304
//! on the reads of a trajectory, referral, alert and consent.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, token};

/// POSTs `body` to `path` with the raw `If-Match` field `tag`.
async fn post_if(app: &TestApp, path: &str, who: &str, tag: &str, body: &Value) -> (u16, Value) {
    let response = app
        .request(Method::POST, path, who)
        .header("If-Match", tag)
        .json(body)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body: Value = response.json().await.unwrap_or_default();
    if let Some(etag) = etag {
        body["_etag"] = json!(etag);
    }
    (status, body)
}

async fn version_of(app: &TestApp, path: &str, who: &str) -> u64 {
    let read: Value = app.get(path, who).await.json().await.expect("json");
    read["version"].as_u64().expect("version")
}

/// One trajectory of provider A in social support with a consent for Nijmegen, a
/// referral to it, and the gap alert its ending opened.
struct World {
    id: String,
    consent: String,
    referral: String,
    alert: String,
}

async fn world(app: &TestApp, client: &str) -> World {
    let provider = token(PROVIDER_A, "provider");
    let id = app.register_id(PROVIDER_A, client).await;
    app.transition_ok(
        &provider,
        &id,
        1,
        &json!({"to": "social_support", "reason": "planned_completion"}),
    )
    .await;
    let id_of = |v: &Value| v["id"].as_str().expect("id").to_owned();
    let consent = id_of(&app.consent(PROVIDER_A, &id, NIJMEGEN).await);
    let referral: Value = app
        .refer(PROVIDER_A, &id, "housing", NIJMEGEN)
        .await
        .json()
        .await
        .expect("json");
    let alert = id_of(&app.alerts(&provider, "?status=open").await[0]);
    World {
        referral: id_of(&referral),
        id,
        consent,
        alert,
    }
}

#[tokio::test]
async fn if_match_follows_rfc_9110_on_a_transition() {
    let app = TestApp::spawn().await;
    let t = token(PROVIDER_A, "provider");
    let id = app.register_id(PROVIDER_A, "client-if-match").await;
    let path = format!("/v1/trajectories/{id}/transitions");
    let to_transition = json!({"to": "transition", "planned_end_on": "2027-01-15"});

    // Valid entity-tags that are not the current version: 412, naming the current ETag.
    for stale in [
        "\"stale-0\"",
        "\"2\"",
        "W/\"1\"",
        "W/\"1\", \"3\"",
        "\"01\"",
    ] {
        let (status, body) = post_if(&app, &path, &t, stale, &to_transition).await;
        assert_eq!(status, 412, "{stale}: {body}");
        assert_eq!(
            body["type"],
            "https://herstelbrug.nl/problems/precondition-failed"
        );
        assert_eq!(
            body["_etag"], "\"1\"",
            "{stale}: the 412 names the current ETag"
        );
    }
    // Not an entity-tag at all: 400 naming the header.
    for malformed in ["1", "\"1", "*, \"1\"", "\"1\" \"2\""] {
        let (status, body) = post_if(&app, &path, &t, malformed, &to_transition).await;
        assert_eq!(status, 400, "{malformed}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("If-Match")),
            "{body}"
        );
    }
    let trajectory = format!("/v1/trajectories/{id}");
    assert_eq!(
        version_of(&app, &trajectory, &t).await,
        1,
        "nothing changed"
    );

    // A list matches when one member does.
    let (status, body) = post_if(&app, &path, &t, "\"7\", W/\"9\", \"1\"", &to_transition).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);
    // `*` matches any current representation.
    let (status, body) = post_if(
        &app,
        &path,
        &t,
        "*",
        &json!({"to": "closed", "reason": "moved"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["phase"], "closed");
}

#[tokio::test]
async fn every_conditional_write_takes_star_and_refuses_a_stale_tag() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let municipality = token(NIJMEGEN, "municipality");
    let World {
        id,
        consent,
        referral,
        alert,
    } = world(&app, "client-star").await;

    let writes = [
        (
            format!("/v1/referrals/{referral}/acknowledge"),
            municipality.clone(),
            json!({}),
            format!("/v1/referrals/{referral}"),
        ),
        (
            format!("/v1/alerts/{alert}/acknowledge"),
            provider.clone(),
            json!({}),
            format!("/v1/alerts/{alert}"),
        ),
        (
            format!("/v1/trajectories/{id}/consents/{consent}/withdraw"),
            provider.clone(),
            json!({}),
            format!("/v1/trajectories/{id}/consents/{consent}"),
        ),
    ];
    for (path, who, body, read) in &writes {
        let before = version_of(&app, read, who).await;
        let (status, problem_body) = post_if(&app, path, who, "\"stale-0\"", body).await;
        assert_eq!(status, 412, "{path}: {problem_body}");
        assert_eq!(
            version_of(&app, read, who).await,
            before,
            "{path}: unchanged"
        );
        let (status, changed) = post_if(&app, path, who, "*", body).await;
        assert_eq!(status, 200, "{path}: {changed}");
        assert_eq!(version_of(&app, read, who).await, before + 1, "{path}");
    }
}

/// GETs `path` with an optional `If-None-Match`; the status and the ETag.
async fn read_if(app: &TestApp, path: &str, who: &str, tag: Option<&str>) -> (u16, String) {
    let mut request = app.request(Method::GET, path, who);
    if let Some(tag) = tag {
        request = request.header("If-None-Match", tag);
    }
    let response = request.send().await.expect("sent");
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (response.status().as_u16(), etag)
}

#[tokio::test]
async fn reads_carry_an_etag_and_answer_if_none_match_with_304() {
    let app = TestApp::spawn().await;
    let provider = token(PROVIDER_A, "provider");
    let World {
        id,
        consent,
        referral,
        alert,
    } = world(&app, "client-304").await;

    let reads = [
        format!("/v1/trajectories/{id}"),
        format!("/v1/referrals/{referral}"),
        format!("/v1/alerts/{alert}"),
        format!("/v1/trajectories/{id}/consents/{consent}"),
    ];
    for path in &reads {
        let (status, tag) = read_if(&app, path, &provider, None).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            tag.starts_with('"') && tag.ends_with('"'),
            "{path}: strong ETag {tag}"
        );
        let weak = format!("W/{tag}");
        let listed = format!("\"999\", {tag}");
        for matching in [tag.as_str(), weak.as_str(), listed.as_str(), "*"] {
            let (status, again) = read_if(&app, path, &provider, Some(matching)).await;
            assert_eq!(status, 304, "{path} with {matching}");
            assert_eq!(again, tag, "{path}: a 304 repeats the ETag");
        }
        let (status, _) = read_if(&app, path, &provider, Some("\"999\"")).await;
        assert_eq!(status, 200, "{path}: another version is read in full");
    }

    // A change makes the old tag stale: the next conditional read is a full 200.
    let consent_path = &reads[3];
    let (_, old) = read_if(&app, consent_path, &provider, None).await;
    let withdraw = format!("/v1/trajectories/{id}/consents/{consent}/withdraw");
    let (status, _) = post_if(&app, &withdraw, &provider, &old, &json!({})).await;
    assert_eq!(status, 200);
    let (status, new) = read_if(&app, consent_path, &provider, Some(&old)).await;
    assert_eq!(status, 200);
    assert_ne!(new, old);
}
