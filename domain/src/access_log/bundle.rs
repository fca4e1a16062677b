//! The export bundle: a period's entries (all, one organisation's, or one client's), the
//! chain's links from the first of them to a checkpoint, the checkpoints that cover them,
//! and the exporter's signature over the exact bytes. Checked offline with nothing but a
//! trusted public key: every entry hashes to its link, the links join up, a signed
//! checkpoint names the last link's hash, and the body is signed.
//!
//! The file is two lines: the body as compact JSON, then the signature as JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::checkpoint::{Checkpoint, trust_through_rotations};
use super::entry::LoggedEntry;
use super::error::AuditError;
use super::key::{AuditKey, PublicKey, TrustedKeys};

pub const FORMAT: &str = "herstelbrug-access-log-export/1";

/// Whose entries the bundle holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum BundleScope {
    All,
    /// Entries of requests made on behalf of this organisation.
    Organisation(String),
    /// Entries about this client reference's trajectories and referrals.
    Client(String),
}

/// One link of the chain: position `n` is the `n`-th entry sealed. Links carry hashes
/// only, so those of entries outside the bundle's scope disclose nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub position: u64,
    pub entry_id: i64,
    pub prev: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    pub created_at: DateTime<Utc>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub scope: BundleScope,
    pub entries: Vec<LoggedEntry>,
    pub links: Vec<Link>,
    /// The checkpoints within the links' range, and every rotation before them.
    pub checkpoints: Vec<Checkpoint>,
}

/// The bundle's second line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BodySignature {
    key_id: String,
    public_key: String,
    signature: String,
}

/// What a verified bundle holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: usize,
    pub covered_by: Option<u64>,
    pub signed_by: String,
}

/// A bundle as written to its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBundle(pub String);

impl Bundle {
    /// The file's text, signed by `key`.
    pub fn sign(&self, key: &AuditKey) -> SignedBundle {
        let body = serde_json::to_string(self).unwrap_or_default();
        let public = key.public();
        let signature = BodySignature {
            key_id: public.id(),
            public_key: public.to_base64(),
            signature: key.sign(body.as_bytes()),
        };
        let line = serde_json::to_string(&signature).unwrap_or_default();
        SignedBundle(format!("{body}\n{line}\n"))
    }
}

impl SignedBundle {
    /// Checks the bundle against `trusted`; see the module's description.
    pub fn verify(&self, trusted: &mut TrustedKeys) -> Result<Verified, AuditError> {
        let unreadable = |why: &str| AuditError::Unreadable(why.to_owned());
        let (body, rest) = self
            .0
            .split_once('\n')
            .ok_or_else(|| unreadable("it is not two lines"))?;
        let signature_line = rest
            .strip_suffix('\n')
            .filter(|line| !line.contains('\n'))
            .ok_or_else(|| unreadable("it is not two lines"))?;
        let bundle: Bundle =
            serde_json::from_str(body).map_err(|e| AuditError::Unreadable(e.to_string()))?;
        let signature: BodySignature = serde_json::from_str(signature_line)
            .map_err(|e| AuditError::Unreadable(e.to_string()))?;
        if bundle.format != FORMAT {
            return Err(unreadable("unknown format"));
        }
        // Checkpoints first: a rotation among them is how the body's key becomes trusted.
        trust_through_rotations(trusted, &bundle.checkpoints);
        for checkpoint in &bundle.checkpoints {
            checkpoint.verify(trusted)?;
        }
        let key =
            PublicKey::parse(&signature.public_key).map_err(|_| AuditError::BundleSignature)?;
        if key.id() != signature.key_id
            || !trusted.trusts(&key)
            || !key.verifies(body.as_bytes(), &signature.signature)
        {
            return Err(AuditError::BundleSignature);
        }
        let covered_by = bundle.check_chain()?;
        Ok(Verified {
            entries: bundle.entries.len(),
            covered_by,
            signed_by: key.id(),
        })
    }
}

impl Bundle {
    /// The links join up, every entry hashes to its link, and a checkpoint names the last
    /// link's hash; returns that checkpoint's number.
    fn check_chain(&self) -> Result<Option<u64>, AuditError> {
        let chain = |position: u64, why: &str| AuditError::Chain {
            position,
            why: why.to_owned(),
        };
        for pair in self.links.windows(2) {
            if pair[1].position != pair[0].position + 1 {
                return Err(chain(pair[1].position, "a link is missing"));
            }
            if pair[1].prev != pair[0].hash {
                return Err(chain(pair[1].position, "it does not join the link before"));
            }
        }
        for entry in &self.entries {
            let link = self
                .links
                .iter()
                .find(|link| link.entry_id == entry.id)
                .ok_or(AuditError::Entry { id: entry.id })?;
            if entry.hash(&link.prev) != link.hash {
                return Err(AuditError::Entry { id: entry.id });
            }
        }
        for checkpoint in &self.checkpoints {
            let link = self.links.iter().find(|l| l.position == checkpoint.entries);
            if let Some(link) = link
                && link.hash != checkpoint.head
            {
                return Err(chain(
                    link.position,
                    "a signed checkpoint names another hash",
                ));
            }
        }
        let Some(last) = self.links.last() else {
            return Ok(None);
        };
        self.checkpoints
            .iter()
            .find(|c| c.entries == last.position && c.head == last.hash)
            .map(|c| Some(c.number))
            .ok_or(AuditError::Uncovered)
    }
}
