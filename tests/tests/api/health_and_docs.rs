//! Probes, the OpenAPI document and Swagger UI.

use crate::helpers::TestApp;

#[tokio::test]
async fn liveness_and_readiness_answer_without_a_token() {
    let app = TestApp::spawn().await;
    for (path, status) in [("/health/live", "ok"), ("/health/ready", "ready")] {
        let response = app.client.get(app.url(path)).send().await.expect("sent");
        assert_eq!(response.status(), 200, "{path}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["status"], status);
    }
}

#[tokio::test]
async fn served_openapi_is_the_generated_document_and_3_1() {
    let app = TestApp::spawn().await;
    let served: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let generated = serde_json::to_value(herstelbrug_api::openapi_doc::document()).expect("json");
    assert_eq!(served, generated);
    assert_eq!(served["openapi"], "3.1.0");
    assert!(served["components"]["securitySchemes"]["bearer"].is_object());
    assert!(served["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let redirect = app.client.get(app.url("/docs")).send().await.expect("sent");
    assert!(redirect.status().is_redirection());
    let page = app
        .client
        .get(app.url("/docs/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("text");
    assert!(html.contains("swagger"), "Swagger UI page");
    let initializer = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(
        initializer.contains("\"validatorUrl\": \"none\"")
            || initializer.contains("\"validatorUrl\":\"none\""),
        "the document is never sent to an outside validator: {initializer}"
    );
}

#[tokio::test]
async fn on_postgresql_the_server_refuses_to_start_without_configured_secrets() {
    // Checked before connecting: no database needs to exist at this address.
    let mut config = crate::helpers::test_config("postgres://nobody@127.0.0.1:1/none");
    config.bsn_secret = None;
    config.jwt_secret = None;
    let refused = herstelbrug_api::Application::build(config.clone())
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        refused.contains("HERSTELBRUG_BSN_SECRET") && refused.contains("HERSTELBRUG_JWKS_FILE"),
        "{refused}"
    );
    config.bsn_secret = Some("production-bsn-secret-of-at-least-32-bytes".to_owned());
    let refused = herstelbrug_api::Application::build(config)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        refused.contains("HERSTELBRUG_JWKS_FILE") && !refused.contains("BSN"),
        "{refused}"
    );
}
