//! The checkpoint signing key from the configuration: a file, a value, or (on the
//! embedded default only) a key generated next to the database on first start.

use std::path::Path;

use herstelbrug_domain::access_log::AuditKey;

use crate::auth::dev_secret;
use crate::config::Config;

/// A fresh key from the operating system's randomness.
pub fn generate() -> Result<AuditKey, String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("cannot generate a key: {e}"))?;
    Ok(AuditKey::from_seed(seed))
}

/// Reads a key file.
pub fn read(path: &Path, setting: &str) -> Result<AuditKey, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("{setting} {}: {e}", path.display()))?;
    AuditKey::parse(&text).map_err(|e| format!("{setting} {}: {e}", path.display()))
}

/// The configured key; on the embedded default without one, the generated key file next
/// to the database; `None` on PostgreSQL without one (checkpoints are then off).
pub fn configured(config: &Config) -> Result<Option<AuditKey>, String> {
    if let Some(text) = &config.audit_key {
        return AuditKey::parse(text)
            .map(Some)
            .map_err(|e| format!("HERSTELBRUG_AUDIT_KEY: {e}"));
    }
    if let Some(path) = &config.audit_key_file {
        return read(path, "HERSTELBRUG_AUDIT_KEY_FILE").map(Some);
    }
    if !config.is_embedded() {
        return Ok(None);
    }
    let path = config.audit_key_file_default();
    if path.exists() {
        return read(&path, "the generated audit key").map(Some);
    }
    let pem = generate()?.to_pem().map_err(|e| e.to_string())?;
    let written = dev_secret::write_once(&path, &pem).map_err(|e| e.to_string())?;
    AuditKey::parse(&written)
        .map(Some)
        .map_err(|e| format!("the generated audit key {}: {e}", path.display()))
}
