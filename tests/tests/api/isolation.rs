//! Tenant isolation: one organisation never sees or touches another's referrals, on any
//! route, list or feed, and each scope reaches only its own routes.

use serde_json::{Value, json};

use crate::helpers::{AMSTERDAM, NIJMEGEN, PROVIDER_A, PROVIDER_B, TestApp, problem, token};

struct World {
    a_trajectory: String,
    a_referral: String,
    a_consent: String,
    b_referral: String,
}

async fn world(app: &TestApp) -> World {
    let a_trajectory = app.register_id(PROVIDER_A, "client-a").await;
    let a_consent = app.consent(PROVIDER_A, &a_trajectory, NIJMEGEN).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let a_referral: Value = app
        .refer(PROVIDER_A, &a_trajectory, "housing", NIJMEGEN)
        .await
        .json()
        .await
        .expect("json");
    let b_trajectory = app.register_id(PROVIDER_B, "client-b").await;
    app.consent(PROVIDER_B, &b_trajectory, AMSTERDAM).await;
    let b_referral: Value = app
        .refer(PROVIDER_B, &b_trajectory, "housing", AMSTERDAM)
        .await
        .json()
        .await
        .expect("json");
    World {
        a_trajectory,
        a_referral: a_referral["id"].as_str().expect("id").to_owned(),
        a_consent,
        b_referral: b_referral["id"].as_str().expect("id").to_owned(),
    }
}

fn referral_ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| i["referral"]["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn municipalities_and_providers_see_only_their_own_referrals() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let amsterdam = token(AMSTERDAM, "municipality");
    let provider_b = token(PROVIDER_B, "provider");

    // Each sees its own change first; only then is an absence proof of isolation.
    assert_eq!(
        referral_ids(&app.feed_collect("inbox", &nijmegen, None, 1).await.0),
        std::slice::from_ref(&w.a_referral)
    );
    assert_eq!(
        referral_ids(&app.feed_collect("inbox", &amsterdam, None, 1).await.0),
        std::slice::from_ref(&w.b_referral)
    );
    assert_eq!(
        referral_ids(
            &app.feed_collect("outbox-feed", &provider_b, None, 1)
                .await
                .0
        ),
        std::slice::from_ref(&w.b_referral)
    );
    assert_eq!(
        app.feed("inbox", &provider_b, None).await["items"],
        json!([])
    );

    // Every route with another organisation's id answers 404, and changes nothing.
    for (who, token) in [("Amsterdam", &amsterdam), ("provider B", &provider_b)] {
        assert_eq!(
            problem(
                app.get(&format!("/v1/referrals/{}", w.a_referral), token)
                    .await
            )
            .await
            .0,
            404,
            "{who}"
        );
        for action in ["acknowledge", "cancel", "accept"] {
            let (status, _) = problem(
                app.act(
                    token,
                    &w.a_referral,
                    action,
                    1,
                    Some(json!({"planned_start_on": "2027-01-01"})),
                )
                .await,
            )
            .await;
            assert_eq!(status, 404, "{who} {action}");
        }
    }
    for path in [
        format!("/v1/trajectories/{}/referrals", w.a_trajectory),
        format!("/v1/trajectories/{}/consents", w.a_trajectory),
        format!("/v1/trajectories/{}/events", w.a_trajectory),
        format!("/v1/trajectories/{}", w.a_trajectory),
    ] {
        assert_eq!(
            problem(app.get(&path, &provider_b).await).await.0,
            404,
            "{path}"
        );
    }
    for (path, body) in [
        (
            format!("/v1/trajectories/{}/referrals", w.a_trajectory),
            json!({"kind": "housing", "recipient": NIJMEGEN, "needs": "x"}),
        ),
        (
            format!("/v1/trajectories/{}/consents", w.a_trajectory),
            json!({"organisation": NIJMEGEN, "purpose": "x"}),
        ),
        (
            format!(
                "/v1/trajectories/{}/consents/{}/withdraw",
                w.a_trajectory, w.a_consent
            ),
            json!({}),
        ),
    ] {
        assert_eq!(
            problem(app.post_at(&path, &provider_b, 1, &body).await)
                .await
                .0,
            404,
            "{path}"
        );
    }
    let untouched: Value = app
        .get(&format!("/v1/referrals/{}", w.a_referral), &nijmegen)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(untouched["version"], 1);
    assert_eq!(untouched["consent_withdrawn"], false);
}

#[tokio::test]
async fn each_scope_reaches_only_its_routes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let nijmegen = token(NIJMEGEN, "municipality");
    let gets_refused_to_municipalities = [
        "/v1/trajectories".to_owned(),
        format!("/v1/trajectories/{}", w.a_trajectory),
        format!("/v1/trajectories/{}/referrals", w.a_trajectory),
        format!("/v1/trajectories/{}/consents", w.a_trajectory),
        "/v1/referrals/outbox-feed".to_owned(),
    ];
    for path in &gets_refused_to_municipalities {
        assert_eq!(
            problem(app.get(path, &nijmegen).await).await.0,
            403,
            "{path}"
        );
    }
    let referral_routes = [
        "/v1/referrals/inbox".to_owned(),
        format!("/v1/referrals/{}", w.a_referral),
    ];
    for (org, scope) in [
        (NIJMEGEN, "provider"),
        (PROVIDER_A, "municipality"),
        (PROVIDER_A, "dashboard"),
        (NIJMEGEN, "admin"),
    ] {
        for path in &referral_routes {
            assert_eq!(
                problem(app.get(path, &token(org, scope)).await).await.0,
                403,
                "{org} {scope} {path}"
            );
        }
    }
}
