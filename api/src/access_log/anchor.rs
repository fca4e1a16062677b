//! The outside copy of the checkpoints: an append-only file of JSON lines (or standard
//! output), and optionally a URL each new checkpoint is POSTed to. The file is synced from
//! the database, so a checkpoint whose append was lost to a crash is written on the next
//! round; a failed POST is retried on the next round.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use herstelbrug_domain::access_log::Checkpoint;
use tokio::sync::Mutex;

use crate::config::Config;

#[derive(Debug)]
pub struct Anchor {
    file: Option<PathBuf>,
    url: Option<url::Url>,
    client: reqwest::Client,
    unposted: Mutex<Vec<Checkpoint>>,
}

/// A checkpoint file as read back: the checkpoints, and the numbers of lines that do not
/// parse.
#[derive(Debug, Default)]
pub struct ReadBack {
    pub checkpoints: Vec<Checkpoint>,
    pub unreadable_lines: Vec<usize>,
}

impl Anchor {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let url = config
            .audit_checkpoint_url
            .as_deref()
            .map(|text| {
                url::Url::parse(text)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| {
                        format!("HERSTELBRUG_AUDIT_CHECKPOINT_URL `{text}`: not an http(s) URL")
                    })
            })
            .transpose()?;
        Ok(Self {
            file: config.checkpoint_file(),
            url,
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .map_err(|e| format!("checkpoint URL client: {e}"))?,
            unposted: Mutex::new(Vec::new()),
        })
    }

    /// The file checkpoints are appended to, unless they go to standard output.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref().filter(|p| p.as_os_str() != "-")
    }

    /// Writes `new` (just signed) and whatever of `all` the file lacks outside the database.
    pub async fn record(&self, new: Option<&Checkpoint>, all: &[Checkpoint]) -> Result<(), String> {
        if let Some(path) = self.file() {
            append_missing(path, all)?;
        } else if self.file.is_some()
            && let Some(checkpoint) = new
        {
            println!("{}", checkpoint.to_line());
        }
        if let Some(url) = &self.url {
            let mut unposted = self.unposted.lock().await;
            unposted.extend(new.cloned());
            while let Some(checkpoint) = unposted.first() {
                let sent = self
                    .client
                    .post(url.clone())
                    .header("content-type", "application/json")
                    .body(checkpoint.to_line())
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status);
                if let Err(e) = sent {
                    return Err(format!("posting checkpoint {}: {e}", checkpoint.number));
                }
                unposted.remove(0);
            }
        }
        Ok(())
    }
}

/// Reads a checkpoint file.
pub fn read(path: &Path) -> Result<ReadBack, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("checkpoint file {}: {e}", path.display())),
    };
    let mut back = ReadBack::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Checkpoint>(line) {
            Ok(checkpoint) => back.checkpoints.push(checkpoint),
            Err(_) => back.unreadable_lines.push(index + 1),
        }
    }
    Ok(back)
}

fn append_missing(path: &Path, all: &[Checkpoint]) -> Result<(), String> {
    let written = read(path)?
        .checkpoints
        .iter()
        .map(|c| c.number)
        .max()
        .unwrap_or(0);
    let missing: Vec<&Checkpoint> = all.iter().filter(|c| c.number > written).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let io = |e: std::io::Error| format!("checkpoint file {}: {e}", path.display());
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    let mut lines = String::new();
    for checkpoint in missing {
        lines.push_str(&checkpoint.to_line());
        lines.push('\n');
    }
    file.write_all(lines.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}
