//! What the `herstelbrug audit` commands do; each returns what it prints, or why it failed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use herstelbrug_domain::access_log::{
    AuditKey, Bundle, BundleScope, Checkpoint, PublicKey, SignedBundle, TrustedKeys, bundle, merge,
    walk,
};
use herstelbrug_persistence::{AccessEntry, AccessLog, AccessRecord, ExportQuery};

use super::{anchor, keys};
use crate::config::Config;
use crate::fhir::audit_event;
use crate::startup::open_database;

fn text<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

async fn open_log(config: &Config) -> Result<AccessLog, String> {
    let db = open_database(config).await.map_err(text)?;
    Ok(AccessLog::new(db.conn.clone()))
}

fn public_keys(paths: &[PathBuf]) -> Result<Vec<PublicKey>, String> {
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--public-key {}: {e}", path.display()))?;
            PublicKey::parse(&text).map_err(|e| format!("--public-key {}: {e}", path.display()))
        })
        .collect()
}

fn required_key(config: &Config) -> Result<AuditKey, String> {
    keys::configured(config)?.ok_or_else(|| {
        "no checkpoint key: set HERSTELBRUG_AUDIT_KEY_FILE (`herstelbrug audit keygen` makes one)"
            .to_owned()
    })
}

/// `audit verify`: the chain, and the chain against every checkpoint in the database and
/// in the outside copy, checked with the configured key and any `--public-key`.
pub async fn verify(
    config: &Config,
    checkpoint_file: Option<PathBuf>,
    extra_keys: &[PathBuf],
) -> Result<String, String> {
    let log = open_log(config).await?;
    // Chain what the servers have not sealed yet, so the check covers everything.
    log.seal().await.map_err(text)?;
    let mut trusted = TrustedKeys::new(public_keys(extra_keys)?);
    if let Some(key) = keys::configured(config)? {
        trusted.add(key.public());
    }
    let stored = log.checkpoints().await.map_err(text)?;
    let mut problems: Vec<String> = stored
        .unreadable
        .iter()
        .map(|n| format!("checkpoint {n} in the database does not parse"))
        .collect();
    let file = checkpoint_file.or_else(|| config.checkpoint_file());
    let file = file.filter(|p| p.as_os_str() != "-");
    let (checkpoints, merged) = match &file {
        Some(path) => {
            let outside = anchor::read(path)?;
            problems.extend(
                outside
                    .unreadable_lines
                    .iter()
                    .map(|line| format!("line {line} of {} does not parse", path.display())),
            );
            merge(stored.checkpoints, outside.checkpoints)
        }
        None => (stored.checkpoints, Vec::new()),
    };
    problems.extend(merged.iter().map(ToString::to_string));
    let positions: BTreeSet<u64> = checkpoints.iter().map(|c| c.entries).collect();
    let chain = log.walk(&positions).await.map_err(text)?;
    if let Some(id) = chain.broken {
        problems.insert(
            0,
            format!("access log broken at entry {id}: it or an earlier entry was altered"),
        );
    }
    if !checkpoints.is_empty() && trusted.is_empty() {
        problems.push(
            "no key to check the checkpoints with: configure the audit key or give --public-key"
                .to_owned(),
        );
    }
    let found = walk(&checkpoints, &mut trusted, chain.length, |n| {
        chain.hashes.get(&n).cloned()
    });
    problems.extend(found.iter().map(ToString::to_string));
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let (sealed, pending) = log.sealed_and_pending().await.map_err(text)?;
    let anchored = match (&file, checkpoints.last()) {
        (_, None) => {
            "no checkpoints yet: a cut tail would not show until the first is signed".to_owned()
        }
        (Some(path), Some(last)) => format!(
            "{} checkpoint(s) verified against the database and {}, the last after {} entries",
            checkpoints.len(),
            path.display(),
            last.entries
        ),
        (None, Some(last)) => format!(
            "{} checkpoint(s) verified (no outside copy given), the last after {} entries",
            checkpoints.len(),
            last.entries
        ),
    };
    Ok(format!(
        "access log intact: {sealed} entries chained, {pending} waiting for an older transaction to end; {anchored}"
    ))
}

/// Signs the head now with `keys` (even if it did not move) and writes the checkpoint
/// outside the database too; returns it and every checkpoint stored.
async fn sign_now(
    config: &Config,
    log: &AccessLog,
    keys: &[&AuditKey],
) -> Result<(Checkpoint, Vec<Checkpoint>), String> {
    let made = log
        .checkpoint(keys, Utc::now(), false)
        .await
        .map_err(text)?
        .ok_or("no checkpoint was made")?;
    let all = log.checkpoints().await.map_err(text)?.checkpoints;
    anchor::Anchor::from_config(config)?
        .record(Some(&made), &all)
        .await?;
    Ok((made, all))
}

/// `audit checkpoint`: signs the head now (even if it did not move).
pub async fn checkpoint(config: &Config) -> Result<String, String> {
    let key = required_key(config)?;
    let log = open_log(config).await?;
    let (made, _) = sign_now(config, &log, &[&key]).await?;
    Ok(made.to_line())
}

/// `audit rotate`: a checkpoint signed by the current key and `new_key`, after which the
/// new key is configured in its place.
pub async fn rotate(config: &Config, new_key: &Path) -> Result<String, String> {
    let old = required_key(config)?;
    let new = keys::read(new_key, "--new-key")?;
    if old.public() == new.public() {
        return Err("--new-key is the key already in use".to_owned());
    }
    let log = open_log(config).await?;
    let (made, _) = sign_now(config, &log, &[&old, &new]).await?;
    Ok(format!(
        "checkpoint {} signed by {} and {}; now set HERSTELBRUG_AUDIT_KEY_FILE={} and restart",
        made.number,
        old.public().id(),
        new.public().id(),
        new_key.display()
    ))
}

/// `audit keygen`: a new key into `out` (only its owner may read it); prints the public key.
pub fn keygen(out: &Path) -> Result<String, String> {
    let key = keys::generate()?;
    let pem = key.to_pem().map_err(text)?;
    if out.exists() {
        return Err(format!("{} exists; choose another file", out.display()));
    }
    crate::auth::dev_secret::write_once(out, &pem).map_err(text)?;
    key.public().to_pem().map_err(text)
}

/// `audit public-key`: the configured key's public half.
pub fn public_key(config: &Config) -> Result<String, String> {
    required_key(config)?.public().to_pem().map_err(text)
}

/// A day (`2026-01-01`, from its start) or an instant (RFC 3339).
pub fn moment(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`{text}`: expected a date (2026-01-01) or an RFC 3339 instant"))
}

/// Which export.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub scope: BundleScope,
    pub fhir: bool,
}

/// `audit export`: signs a checkpoint that covers the period, then writes the bundle (or
/// the entries as FHIR `AuditEvent`s); returns the file's text and a summary.
pub async fn export(config: &Config, request: ExportRequest) -> Result<(String, String), String> {
    if request.from >= request.to {
        return Err("--from must be before --to".to_owned());
    }
    let key = required_key(config)?;
    let log = open_log(config).await?;
    let (cover, stored) = sign_now(config, &log, &[&key]).await?;
    let query = ExportQuery {
        from: request.from,
        to: request.to,
        scope: request.scope.clone(),
    };
    let parts = log.export(&query, &cover, &stored).await.map_err(text)?;
    let summary = format!(
        "{} entries, covered by checkpoint {}{}",
        parts.entries.len(),
        cover.number,
        if parts.left_out > 0 {
            format!(
                "; {} not yet chained and left out (run again shortly)",
                parts.left_out
            )
        } else {
            String::new()
        }
    );
    if request.fhir {
        let events = parts
            .entries
            .iter()
            .map(|entry| audit_event::for_supervisor(&access_entry(entry)))
            .collect();
        let body = serde_json::to_string_pretty(&audit_event::collection(events)).map_err(text)?;
        return Ok((body, summary));
    }
    let bundle = Bundle {
        format: bundle::FORMAT.to_owned(),
        created_at: cover.at,
        from: request.from,
        to: request.to,
        scope: request.scope,
        entries: parts.entries,
        links: parts.links,
        checkpoints: parts.checkpoints,
    };
    Ok((bundle.sign(&key).0, summary))
}

fn access_entry(entry: &herstelbrug_domain::access_log::LoggedEntry) -> AccessEntry {
    AccessEntry {
        id: entry.id,
        recorded_at: entry.recorded_at,
        record: AccessRecord {
            event: entry.event.clone(),
            action: entry.action,
            outcome: entry.outcome.clone(),
            status: entry.status,
            client_ref: entry.client_ref.clone(),
            trajectory_id: entry.trajectory_id,
            referral_id: entry.referral_id,
            subject: entry.subject.clone(),
            role: entry.role.clone(),
            org: entry.org.clone(),
            address: entry.address.clone(),
            request_id: entry.request_id.clone(),
            purpose: entry.purpose.clone(),
            disclosed: entry.disclosed.clone(),
        },
    }
}

/// `audit verify-export`: offline, with only the public key(s).
pub fn verify_export(bundle: &Path, public_keys_at: &[PathBuf]) -> Result<String, String> {
    if public_keys_at.is_empty() {
        return Err("give the exporter's public key with --public-key".to_owned());
    }
    let text = std::fs::read_to_string(bundle).map_err(|e| format!("{}: {e}", bundle.display()))?;
    let mut trusted = TrustedKeys::new(public_keys(public_keys_at)?);
    let verified = SignedBundle(text)
        .verify(&mut trusted)
        .map_err(|e| format!("{}: {e}", bundle.display()))?;
    Ok(format!(
        "bundle intact: {} entries, signed by key {}{}",
        verified.entries,
        verified.signed_by,
        verified
            .covered_by
            .map(|n| format!(", chained under signed checkpoint {n}"))
            .unwrap_or_default()
    ))
}
