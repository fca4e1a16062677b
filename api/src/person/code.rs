//! Invitation codes at the edge: drawn from the operating system's randomness, and
//! stored only as their SHA-256.

use herstelbrug_domain::person::invitation::InvitationCode;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// A fresh code from the operating system's randomness.
pub fn fresh_code() -> Result<InvitationCode, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("randomness: {e}")))?;
    Ok(InvitationCode::from_entropy(bytes))
}

/// The stored form of a code: its SHA-256 (128 random bits need no key or salt).
pub fn code_hash(code: &InvitationCode) -> String {
    Sha256::digest(code.expose().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
