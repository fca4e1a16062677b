//! Keeping BSNs: a keyed HMAC to match a client across providers, and AES-256-GCM
//! encryption of the number itself. Both keys derive from one configured secret.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use herstelbrug_domain::bsn::Bsn;
use herstelbrug_persistence::trajectory::store::SealedBsn;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub struct BsnVault {
    match_key: [u8; 32],
    cipher: Aes256Gcm,
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("HERSTELBRUG_BSN_SECRET must be at least 32 bytes")]
    WeakSecret,
    #[error("encryption failed")]
    Encryption,
    #[error("no randomness: {0}")]
    Random(String),
}

/// The key of the figures' rounding draws, derived from the same secret under its own
/// label: kept apart from the database like the BSN keys, and stable across restarts, so
/// every answer rounds each cell the same way.
pub fn figures_rounding_key(secret: &[u8]) -> Result<[u8; 32], VaultError> {
    derive(secret, "herstelbrug figures rounding v1")
}

/// The key the local development person issuer signs with, from the same secret.
pub fn person_issuer_key(secret: &[u8]) -> Result<[u8; 32], VaultError> {
    derive(secret, "herstelbrug person development issuer v1")
}

/// The key that seals page cursors to their query, from the same secret.
pub fn cursor_key(secret: &[u8]) -> Result<[u8; 32], VaultError> {
    derive(secret, "herstelbrug cursors v1")
}

fn derive(secret: &[u8], label: &str) -> Result<[u8; 32], VaultError> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).map_err(|_| VaultError::WeakSecret)?;
    mac.update(label.as_bytes());
    Ok(mac.finalize().into_bytes().into())
}

impl std::fmt::Debug for BsnVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BsnVault(<keys>)")
    }
}

impl BsnVault {
    pub fn new(secret: &[u8]) -> Result<Self, VaultError> {
        if secret.len() < 32 {
            return Err(VaultError::WeakSecret);
        }
        let match_key = derive(secret, "herstelbrug bsn match v1")?;
        let cipher = Aes256Gcm::new_from_slice(&derive(secret, "herstelbrug bsn encryption v1")?)
            .map_err(|_| VaultError::WeakSecret)?;
        Ok(Self { match_key, cipher })
    }

    /// The keyed hash a BSN is matched by (hex).
    pub fn matcher(&self, bsn: &Bsn) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.match_key)
            .unwrap_or_else(|_| unreachable!("32-byte key"));
        mac.update(bsn.expose_digits());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The hash and the encrypted number (base64 of a random nonce and the ciphertext).
    pub fn seal(&self, bsn: &Bsn) -> Result<SealedBsn, VaultError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| VaultError::Random(e.to_string()))?;
        let ciphertext = self
            .cipher
            .encrypt(&Nonce::from(nonce), bsn.expose_digits().as_slice())
            .map_err(|_| VaultError::Encryption)?;
        let mut sealed = nonce.to_vec();
        sealed.extend(ciphertext);
        Ok(SealedBsn {
            matcher: self.matcher(bsn),
            sealed: STANDARD.encode(sealed),
        })
    }
}

#[cfg(test)]
mod tests {
    use aes_gcm::aead::Aead;

    use super::*;

    #[test]
    fn matches_are_stable_and_the_number_is_only_encrypted() {
        let vault = BsnVault::new(&[7u8; 32]).expect("vault");
        let bsn = Bsn::parse("111222333").expect("valid");
        let a = vault.seal(&bsn).expect("seals");
        let b = vault.seal(&bsn).expect("seals");
        assert_eq!(a.matcher, b.matcher, "the same client matches");
        assert_ne!(a.sealed, b.sealed, "fresh nonce every time");
        assert!(!a.sealed.contains("111222333") && !a.matcher.contains("111222333"));
        let raw = STANDARD.decode(&a.sealed).expect("base64");
        let nonce: [u8; 12] = raw[..12].try_into().expect("nonce");
        let plain = vault
            .cipher
            .decrypt(&Nonce::from(nonce), &raw[12..])
            .expect("decrypts");
        assert_eq!(plain, b"111222333");
        assert_ne!(
            BsnVault::new(&[8u8; 32]).expect("vault").matcher(&bsn),
            a.matcher,
            "keyed"
        );
    }
}
