//! Nothing acknowledged is lost: kill the server process with SIGKILL right after a 2xx,
//! start it again on the same database, and every acknowledged change is there.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::{AUDIENCE, ISSUER, PROVIDER_A, SECRET, TestDatabase, token};

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `herstelbrug serve` as its own process and waits for the port it reports.
fn start(database_url: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_herstelbrug-under-test"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("HERSTELBRUG_LISTEN", "127.0.0.1:0")
        .env("HERSTELBRUG_JWT_SECRET", SECRET)
        .env("HERSTELBRUG_JWT_ISSUER", ISSUER)
        .env("HERSTELBRUG_JWT_AUDIENCE", AUDIENCE)
        .env("HERSTELBRUG_WORKERS", "1")
        .env("HERSTELBRUG_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server process starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .expect("readable log");
        let Ok(entry) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if entry["fields"]["message"] == "herstelbrug listening" {
            break entry["fields"]["port"].as_u64().expect("port logged");
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        address: format!("http://127.0.0.1:{port}"),
    }
}

#[tokio::test]
async fn sigkill_right_after_a_2xx_loses_nothing() {
    let db = TestDatabase::fresh().await;
    let client = reqwest::Client::new();
    let t = token(PROVIDER_A, "provider");

    let mut server = start(db.url());
    let mut ids = Vec::new();
    for n in 0..5 {
        let response = client
            .post(format!("{}/v1/trajectories", server.address))
            .bearer_auth(&t)
            .json(&json!({"client_ref": format!("client-{n}"), "municipality": "gemeente:0268", "started_on": "2026-01-05"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 201);
        ids.push(
            response.json::<Value>().await.expect("json")["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let moved = client
        .post(format!(
            "{}/v1/trajectories/{}/transitions",
            server.address, ids[0]
        ))
        .bearer_auth(&t)
        .header("If-Match", "\"1\"")
        .json(&json!({"to": "closed", "reason": "moved"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(moved.status(), 200);
    // SIGKILL: no graceful shutdown, no chance to flush anything after the response.
    server.child.kill().expect("killed");
    server.child.wait().expect("reaped");

    let server = start(db.url());
    let list: Value = client
        .get(format!("{}/v1/trajectories", server.address))
        .bearer_auth(&t)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let found: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(found, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(list["items"][0]["phase"], "closed");
    assert_eq!(list["items"][0]["version"], 2);
}
