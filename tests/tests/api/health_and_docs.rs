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
}
