//! Logs fit for operations: one JSON object per line with the request id when asked for
//! JSON, no ANSI colour codes when the log is not a terminal, and a client's 404 is no
//! warning.

use serde_json::Value;

use crate::durability::start_with;
use crate::helpers::{PROVIDER_A, TestDatabase, token};

/// The server's log lines once `requests` were answered; returns them with the request
/// ids the responses carried.
async fn logged(format: &str) -> (Vec<String>, Vec<String>) {
    let db = TestDatabase::fresh().await;
    let server = start_with(db.url(), &[("HERSTELBRUG_LOG_FORMAT", format.to_owned())]);
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for path in ["/v1/no-such-route", "/no-such-page", "/v1/trajectories"] {
        let response = client
            .get(format!("{}{path}", server.address))
            .bearer_auth(token(PROVIDER_A, "provider"))
            .send()
            .await
            .expect("sent");
        ids.push(
            response.headers()["x-request-id"]
                .to_str()
                .expect("id")
                .to_owned(),
        );
    }
    // The span of the last request closes when its response is written; wait for its line.
    let last = ids.last().cloned().unwrap_or_default();
    let mut lines = Vec::new();
    for _ in 0..200 {
        lines = server.logs.lock().map(|l| l.clone()).unwrap_or_default();
        if lines.iter().filter(|l| l.contains(&last)).count() > 0 {
            break;
        }
        // The log is drained by a thread of its own: poll it, do not time it.
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    (lines, ids)
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_request_id_and_404_is_no_warning() {
    let (lines, ids) = logged("json").await;
    assert!(!lines.is_empty());
    let entries: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for id in &ids {
        assert!(
            entries
                .iter()
                .any(|e| e["span"]["request_id"] == id.as_str()),
            "a line names request {id}"
        );
    }
    let warnings: Vec<&Value> = entries
        .iter()
        .filter(|e| e["level"] == "WARN" || e["level"] == "ERROR")
        .collect();
    assert!(warnings.is_empty(), "no warnings for 404s: {warnings:?}");
}

#[tokio::test]
async fn text_logs_carry_no_colour_codes_when_not_on_a_terminal() {
    let (lines, ids) = logged("text").await;
    assert!(
        ids.iter()
            .all(|id| lines.iter().any(|l| l.contains(id.as_str()))),
        "every request is in the log"
    );
    assert!(
        lines.iter().all(|l| !l.contains('\u{1b}')),
        "no ANSI escapes in a piped log: {:?}",
        lines.iter().find(|l| l.contains('\u{1b}'))
    );
}

/// A BSN in a query string is refused (400 naming the parameter) before anything is
/// logged, and a BSN in a path is masked in the log line: the number is never in the log.
#[tokio::test]
async fn a_bsn_in_a_url_is_refused_and_never_logged() {
    let db = TestDatabase::fresh().await;
    let server = start_with(db.url(), &[]);
    let client = reqwest::Client::new();
    let bsn = "123456782";
    for query in [
        format!("client_ref={bsn}"),
        format!("limit=5&identifier=urn%3Aexample%7C{bsn}"),
        "q=12345678%32".to_owned(),
    ] {
        let response = client
            .get(format!("{}/v1/trajectories?{query}", server.address))
            .bearer_auth(token(PROVIDER_A, "provider"))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.expect("problem");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("query parameter `"), "{detail}");
        assert!(!detail.contains(bsn), "{detail}");
    }
    // A path segment cannot be refused before routing; it is masked in the log.
    let last = client
        .get(format!("{}/v1/trajectories/{bsn}", server.address))
        .bearer_auth(token(PROVIDER_A, "provider"))
        .send()
        .await
        .expect("sent");
    let id = last.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_owned();
    let mut lines = Vec::new();
    for _ in 0..200 {
        lines = server.logs.lock().map(|l| l.clone()).unwrap_or_default();
        if lines.iter().any(|l| l.contains(&id)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("/v1/trajectories/*********"))
    );
    assert!(
        lines.iter().all(|l| !l.contains(bsn)),
        "a log line holds the BSN: {:?}",
        lines.iter().find(|l| l.contains(bsn))
    );
}
