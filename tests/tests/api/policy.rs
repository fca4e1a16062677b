//! Every documented `/v1` operation authenticates and applies the route policy: walking
//! the OpenAPI document (the registered routes), no token is 401 everywhere and every
//! scope the policy table does not grant on an operation is 403 there.

use reqwest::Method;
use serde_json::Value;

use herstelbrug_api::auth::Scope;
use herstelbrug_api::auth::policy::allowed_scopes;

use crate::helpers::{PROVIDER_A, TestApp, problem, token};

fn operations() -> Vec<(Method, String, String)> {
    let doc = serde_json::to_value(herstelbrug_api::openapi_doc::document()).expect("serializes");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        if !path.starts_with("/v1/") {
            continue;
        }
        let concrete = path
            .replace("{action}", "acknowledge")
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    uuid::Uuid::new_v4().to_string()
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().expect("item").keys() {
            ops.push((
                method.to_uppercase().parse().expect("method"),
                concrete.clone(),
                path.clone(),
            ));
        }
    }
    assert!(ops.len() >= 26, "walked {} operations", ops.len());
    ops
}

#[tokio::test]
async fn every_operation_needs_a_token_and_a_granted_scope() {
    let app = TestApp::spawn().await;
    let mut refused = 0;
    for (method, path, pattern) in operations() {
        let anonymous = app
            .client
            .request(method.clone(), app.url(&path))
            .json(&Value::Null)
            .send()
            .await
            .expect("sent");
        assert_eq!(
            problem(anonymous).await.0,
            401,
            "{method} {path} without a token"
        );
        if herstelbrug_api::auth::policy::is_person_route(&pattern) {
            // A person's route: no organisation token opens it, whatever its scope.
            for scope in Scope::ALL {
                let response = app
                    .request(method.clone(), &path, &token(PROVIDER_A, scope.as_str()))
                    .json(&Value::Null)
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(
                    problem(response).await.0,
                    401,
                    "{method} {path} as {scope:?}"
                );
                refused += 1;
            }
            continue;
        }
        let granted = allowed_scopes(method.as_str(), &pattern).expect("policy entry");
        for scope in [
            Scope::Provider,
            Scope::Municipality,
            Scope::Dashboard,
            Scope::Admin,
        ] {
            if granted.contains(&scope) {
                continue;
            }
            let wrong_scope = app
                .request(method.clone(), &path, &token(PROVIDER_A, scope.as_str()))
                .json(&Value::Null)
                .send()
                .await
                .expect("sent");
            assert_eq!(
                problem(wrong_scope).await.0,
                403,
                "{method} {path} with only `{}`",
                scope.as_str()
            );
            refused += 1;
        }
    }
    assert!(refused >= 55, "only {refused} ungranted cells walked");
}
