//! The HS256 secret for local use: from configuration, or generated once into a file next
//! to the database so `herstelbrug token` and the server agree without any set-up.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header, encode};

use crate::auth::AccessClaims;
use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read or write the development secret {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot generate a random secret: {0}")]
    Random(String),
    #[error("cannot sign the token: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

/// The HS256 secret the server accepts, if any: the configured one; none when only a JWKS
/// file is configured; otherwise the development secret file, created on first use.
pub fn resolve(config: &Config) -> Result<Option<Vec<u8>>, SecretError> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(Some(secret.as_bytes().to_vec()));
    }
    if config.jwks_file.is_some() {
        return Ok(None);
    }
    read_or_create(&config.secret_file()).map(Some)
}

pub fn read_or_create(path: &Path) -> Result<Vec<u8>, SecretError> {
    let io = |source| SecretError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text.trim().as_bytes().to_vec()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        Err(_) => {}
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| SecretError::Random(e.to_string()))?;
    write_once(path, &URL_SAFE_NO_PAD.encode(bytes)).map(String::into_bytes)
}

/// Writes `secret` to a new file only its owner may read, and returns it; when another
/// process created the file first, returns what that one wrote.
pub fn write_once(path: &Path, secret: &str) -> Result<String, SecretError> {
    let io = |source| SecretError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok(secret.to_owned())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path)
            .map(|t| t.trim().to_owned())
            .map_err(io),
        Err(e) => Err(io(e)),
    }
}

/// Signs `claims` with HS256.
pub fn sign(claims: &AccessClaims, secret: &[u8]) -> Result<String, SecretError> {
    // RFC 9068 §2.1: access tokens are typed `at+jwt`.
    let header = Header {
        typ: Some("at+jwt".to_owned()),
        ..Header::default()
    };
    Ok(encode(&header, claims, &EncodingKey::from_secret(secret))?)
}
