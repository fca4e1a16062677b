//! The real `herstelbrug` binary as a child process: started against a database on a
//! free port, asked for tokens, measured for resident memory, killed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "benchmark-secret-of-at-least-32-bytes!!";
const BSN_SECRET: &str = "benchmark-bsn-secret-of-at-least-32-bytes";

pub struct Server {
    child: Child,
    bin: PathBuf,
    pub base: String,
}

/// `herstelbrug` next to this benchmark's own executable (same profile).
pub fn default_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("herstelbrug")))
        .unwrap_or_else(|| PathBuf::from("herstelbrug"))
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Server {
    /// Starts `bin` on `database_url` with `extra` environment on top of the defaults.
    pub async fn start(
        bin: &Path,
        database_url: &str,
        extra: &[(&str, &str)],
    ) -> Result<Self, Box<dyn std::error::Error>> {
        if !bin.exists() {
            return Err(format!(
                "{} not found: build it first with `cargo build --release -p herstelbrug-api`",
                bin.display()
            )
            .into());
        }
        let port = free_port()?;
        let child = Command::new(bin)
            .env("DATABASE_URL", database_url)
            .env("HERSTELBRUG_LISTEN", format!("127.0.0.1:{port}"))
            .env("HERSTELBRUG_JWT_SECRET", SECRET)
            .env("HERSTELBRUG_BSN_SECRET", BSN_SECRET)
            .env("HERSTELBRUG_RATE_LIMIT_PER_MINUTE", "0")
            .env("HERSTELBRUG_DB_MAX_CONNECTIONS", "16")
            // Request lines (and the 4xx warnings) would be formatted and thrown away here.
            .env("RUST_LOG", "error")
            .envs(extra.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        let server = Server {
            child,
            bin: bin.to_owned(),
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ready = client
                .get(format!("{}/health/ready", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(server);
            }
            if started.elapsed() > Duration::from_secs(60) {
                return Err("the server did not become ready in 60 s".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A bearer token for `org` with `scope`, minted by the binary itself.
    pub fn token(&self, org: &str, scope: &str) -> Result<String, Box<dyn std::error::Error>> {
        let out = Command::new(&self.bin)
            .args(["token", "--org", org, "--scope", scope, "--ttl", "3600"])
            .env("HERSTELBRUG_JWT_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .output()?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident and peak resident memory in MiB, from /proc.
    pub fn memory_mib(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse::<f64>().ok())
                .map_or(0.0, |kib| kib / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
