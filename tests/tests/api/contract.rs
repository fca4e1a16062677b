//! The contract generated clients rely on: every query parameter an operation accepts is
//! declared in the OpenAPI document. For each GET that refuses unknown parameters, every
//! parameter name the document uses anywhere is tried; one the server takes (anything but
//! an "unknown field" refusal) must be declared for that operation.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{NIJMEGEN, PROVIDER_A, TestApp, token};

fn concrete(path: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    path.split('/')
        .map(|part| match part {
            "{org}" => NIJMEGEN.to_owned(),
            "{client_ref}" => "client-1".to_owned(),
            p if p.starts_with('{') => id.clone(),
            p => p.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn declared_query(op: &Value) -> BTreeSet<String> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

async fn unknown_field(app: &TestApp, path: &str, query: &str, token: &str) -> bool {
    let response = app.get(&format!("{path}?{query}"), token).await;
    if response.status() != 400 {
        return false;
    }
    let body: Value = response.json().await.unwrap_or_default();
    body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("unknown field"))
}

#[tokio::test]
async fn every_query_parameter_an_operation_accepts_is_declared() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    let names: BTreeSet<String> = paths
        .values()
        .flat_map(|item| item.as_object().into_iter().flatten())
        .flat_map(|(_, op)| declared_query(op))
        .collect();
    assert!(
        names.contains("after") && names.contains("wait"),
        "{names:?}"
    );
    let callers = [
        token(PROVIDER_A, "provider"),
        token(NIJMEGEN, "municipality"),
    ];
    let mut checked = Vec::new();
    let mut missing = Vec::new();
    for (path, item) in paths {
        let Some(op) = item.get("get") else { continue };
        if !path.starts_with("/v1/") {
            continue;
        }
        let url = concrete(path);
        let declared = declared_query(op);
        // A provider may call every GET here but the municipality's inbox.
        let caller = if path.starts_with("/v1/referrals/inbox") {
            &callers[1]
        } else {
            &callers[0]
        };
        if !unknown_field(&app, &url, "zz_not_a_parameter=1", caller).await {
            // This operation takes no query at all: nothing to declare.
            continue;
        }
        checked.push(path.clone());
        for name in &names {
            if !unknown_field(&app, &url, &format!("{name}=1"), caller).await
                && !declared.contains(name)
            {
                missing.push(format!(
                    "GET {path} accepts `{name}` but does not declare it"
                ));
            }
        }
    }
    // The list and feed operations: trajectories, alerts and their feed, the inbox and
    // outbox feed, the catalog and its feed.
    assert!(
        checked.len() >= 7,
        "only these refuse unknown parameters: {checked:?}"
    );
    assert!(missing.is_empty(), "{missing:#?}");
}
