//! Every documented `/v1` operation authenticates and applies the route policy: walking
//! the OpenAPI document (the registered routes), no token is 401 everywhere and a scope
//! that no route grants is 403 everywhere.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{PROVIDER_A, TestApp, problem, token};

fn operations() -> Vec<(Method, String)> {
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
            ));
        }
    }
    assert!(ops.len() >= 26, "walked {} operations", ops.len());
    ops
}

#[tokio::test]
async fn every_operation_needs_a_token_and_a_granted_scope() {
    let app = TestApp::spawn().await;
    let dashboard = token(PROVIDER_A, "dashboard");
    for (method, path) in operations() {
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
        let wrong_scope = app
            .request(method.clone(), &path, &dashboard)
            .json(&Value::Null)
            .send()
            .await
            .expect("sent");
        assert_eq!(
            problem(wrong_scope).await.0,
            403,
            "{method} {path} with only `dashboard`"
        );
    }
}
