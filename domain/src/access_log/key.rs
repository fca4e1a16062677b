//! Ed25519 keys for signing checkpoints (held by the server, never by the database) and
//! the public keys a verifier trusts. Keys are read as PEM, as `openssl genpkey
//! -algorithm ed25519` writes them, or as base64 of the raw 32 bytes.

use std::collections::BTreeMap;

use data_encoding::BASE64;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};

use super::digest::sha256_hex;
use super::error::AuditError;

/// A signing key.
#[derive(Clone)]
pub struct AuditKey(SigningKey);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.public().id())
    }
}

impl AuditKey {
    /// A key from 32 random bytes (the caller takes them from the OS).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    /// Reads a private key file's text.
    pub fn parse(text: &str) -> Result<Self, AuditError> {
        let text = text.trim();
        let bad = |why: String| AuditError::BadKey {
            what: "signing key",
            why,
        };
        if text.starts_with("-----BEGIN") {
            return SigningKey::from_pkcs8_pem(text)
                .map(Self)
                .map_err(|e| bad(e.to_string()));
        }
        let bytes = BASE64
            .decode(text.as_bytes())
            .map_err(|e| bad(e.to_string()))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| bad("the raw key is not 32 bytes".to_owned()))?;
        Ok(Self::from_seed(seed))
    }

    /// The key as PKCS #8 PEM.
    pub fn to_pem(&self) -> Result<String, AuditError> {
        self.0
            .to_pkcs8_pem(Default::default())
            .map(|pem| pem.to_string())
            .map_err(|e| AuditError::BadKey {
                what: "signing key",
                why: e.to_string(),
            })
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// The signature over `message`, base64.
    pub fn sign(&self, message: &[u8]) -> String {
        BASE64.encode(&self.0.sign(message).to_bytes())
    }
}

/// A verifying key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.id())
    }
}

impl PublicKey {
    /// Reads a public key file's text (PEM) or base64 of its 32 bytes.
    pub fn parse(text: &str) -> Result<Self, AuditError> {
        let text = text.trim();
        let bad = |why: String| AuditError::BadKey {
            what: "public key",
            why,
        };
        if text.starts_with("-----BEGIN") {
            return VerifyingKey::from_public_key_pem(text)
                .map(Self)
                .map_err(|e| bad(e.to_string()));
        }
        let bytes = BASE64
            .decode(text.as_bytes())
            .map_err(|e| bad(e.to_string()))?;
        let raw: [u8; 32] = bytes
            .try_into()
            .map_err(|_| bad("the raw key is not 32 bytes".to_owned()))?;
        VerifyingKey::from_bytes(&raw)
            .map(Self)
            .map_err(|e| bad(e.to_string()))
    }

    pub fn to_pem(&self) -> Result<String, AuditError> {
        self.0
            .to_public_key_pem(Default::default())
            .map_err(|e| AuditError::BadKey {
                what: "public key",
                why: e.to_string(),
            })
    }

    /// Base64 of the 32 bytes, as checkpoints carry it.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0.as_bytes())
    }

    /// The first 16 hex digits of the SHA-256 of the key's bytes.
    pub fn id(&self) -> String {
        sha256_hex(self.0.as_bytes())[..16].to_owned()
    }

    /// Whether `signature` (base64) is this key's over `message`.
    pub fn verifies(&self, message: &[u8], signature: &str) -> bool {
        let Ok(bytes) = BASE64.decode(signature.as_bytes()) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&bytes) else {
            return false;
        };
        self.0.verify(message, &signature).is_ok()
    }
}

/// The keys a verifier trusts: those it was given, and those a trusted key introduced in
/// a rotation checkpoint signed by both.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys(BTreeMap<String, PublicKey>);

impl TrustedKeys {
    pub fn new(keys: impl IntoIterator<Item = PublicKey>) -> Self {
        Self(keys.into_iter().map(|k| (k.id(), k)).collect())
    }

    pub fn trusts(&self, key: &PublicKey) -> bool {
        self.0.contains_key(&key.id())
    }

    pub fn add(&mut self, key: PublicKey) {
        self.0.insert(key.id(), key);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many keys are trusted.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn ids(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }
}
