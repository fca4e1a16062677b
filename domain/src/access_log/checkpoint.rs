//! A signed checkpoint: "the chain held `entries` entries ending in `head` at `at`",
//! numbered and linked to the previous checkpoint so that a missing one shows. A rotation
//! checkpoint is signed by the old key and the new one, which is how a verifier that
//! trusts the old key comes to trust the new.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::digest::sha256_hex;
use super::error::AuditError;
use super::key::{AuditKey, PublicKey, TrustedKeys};

/// One key's signature over a checkpoint's statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointSignature {
    pub key_id: String,
    /// Base64 of the Ed25519 public key's 32 bytes.
    pub public_key: String,
    /// Base64 of the 64-byte signature.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// 1, 2, 3…: a gap means a checkpoint was removed.
    pub number: u64,
    /// How many entries the chain held.
    pub entries: u64,
    /// The hash of the chain's last entry then (the genesis hash for none).
    pub head: String,
    pub at: DateTime<Utc>,
    /// The digest of the previous checkpoint's statement (the genesis hash for the first).
    pub previous: String,
    pub signatures: Vec<CheckpointSignature>,
}

impl Checkpoint {
    /// Signs a new checkpoint with every key in `keys` (one, or two in a rotation).
    pub fn sign(
        number: u64,
        entries: u64,
        head: &str,
        at: DateTime<Utc>,
        previous: &str,
        keys: &[&AuditKey],
    ) -> Self {
        let mut checkpoint = Self {
            number,
            entries,
            head: head.to_owned(),
            at,
            previous: previous.to_owned(),
            signatures: keys
                .iter()
                .map(|key| {
                    let public = key.public();
                    CheckpointSignature {
                        key_id: public.id(),
                        public_key: public.to_base64(),
                        signature: String::new(),
                    }
                })
                .collect(),
        };
        let statement = checkpoint.statement();
        for (signature, key) in checkpoint.signatures.iter_mut().zip(keys) {
            signature.signature = key.sign(statement.as_bytes());
        }
        checkpoint
    }

    /// The text every signature covers: all fields and every signer's key, so that
    /// neither a field nor the set of signers can change unseen.
    pub fn statement(&self) -> String {
        let keys: Vec<String> = self
            .signatures
            .iter()
            .map(|s| format!("{} {}", s.key_id, s.public_key))
            .collect();
        format!(
            "herstelbrug access-log checkpoint v1\nnumber: {}\nentries: {}\nhead: {}\nat: {}\nprevious: {}\nkeys: {}\n",
            self.number,
            self.entries,
            self.head,
            self.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            self.previous,
            keys.join(", ")
        )
    }

    /// What the next checkpoint links to.
    pub fn digest(&self) -> String {
        sha256_hex(self.statement().as_bytes())
    }

    /// The keys that signed it, when every signature verifies.
    pub fn signers(&self) -> Option<Vec<PublicKey>> {
        self.checked_signers().ok()
    }

    fn checked_signers(&self) -> Result<Vec<PublicKey>, AuditError> {
        let fault = |why: &str| AuditError::Checkpoint {
            number: self.number,
            why: why.to_owned(),
        };
        if self.signatures.is_empty() {
            return Err(fault("it is not signed"));
        }
        let statement = self.statement();
        let mut signers = Vec::new();
        for signature in &self.signatures {
            let key = PublicKey::parse(&signature.public_key)
                .map_err(|_| fault("a signer's key is not an Ed25519 key"))?;
            if key.id() != signature.key_id {
                return Err(fault("a key id does not belong to its key"));
            }
            if !key.verifies(statement.as_bytes(), &signature.signature) {
                return Err(fault("a signature does not match its content"));
            }
            signers.push(key);
        }
        Ok(signers)
    }

    /// Checks every signature, and that a trusted key made at least one; then trusts every
    /// key that signed it (the new key of a rotation).
    pub fn verify(&self, trusted: &mut TrustedKeys) -> Result<(), AuditError> {
        let signers = self.checked_signers()?;
        let fault = |why: &str| AuditError::Checkpoint {
            number: self.number,
            why: why.to_owned(),
        };
        if !signers.iter().any(|key| trusted.trusts(key)) {
            return Err(fault("no trusted key signed it"));
        }
        for key in signers {
            trusted.add(key);
        }
        Ok(())
    }

    /// One line of an append-only checkpoint file.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Adds to `trusted` every key that signed a checkpoint together with a trusted key (a
/// rotation), until nothing changes: a rotation binds the old key and the new both ways, so
/// a verifier holding either key trusts the whole history.
pub fn trust_through_rotations(trusted: &mut TrustedKeys, checkpoints: &[Checkpoint]) {
    loop {
        let before = trusted.len();
        for checkpoint in checkpoints.iter().filter(|c| c.signatures.len() > 1) {
            if let Some(signers) = checkpoint.signers()
                && signers.iter().any(|key| trusted.trusts(key))
            {
                for key in signers {
                    trusted.add(key);
                }
            }
        }
        if trusted.len() == before {
            return;
        }
    }
}
