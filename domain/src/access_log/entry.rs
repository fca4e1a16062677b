//! One access-log entry as the chain hashes it: every field, length-prefixed, after the
//! previous entry's hash, so that no two different entries hash the same text.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The hash the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry with every field the chain covers (NEN 7513: who, what, when, about whom,
/// from where, for what, with which outcome).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggedEntry {
    pub id: i64,
    /// To the second: the chain hashes whole seconds.
    pub recorded_at: DateTime<Utc>,
    pub event: String,
    pub action: char,
    pub outcome: String,
    pub status: u16,
    pub client_ref: Option<String>,
    pub trajectory_id: Option<Uuid>,
    pub referral_id: Option<Uuid>,
    pub subject: Option<String>,
    pub role: Option<String>,
    pub org: Option<String>,
    pub address: Option<String>,
    pub request_id: Option<String>,
    pub purpose: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disclosed: Vec<Uuid>,
}

fn opt(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}

fn uid(value: Option<Uuid>) -> String {
    value.map_or_else(|| "-".to_owned(), |u| u.to_string())
}

impl LoggedEntry {
    /// The entry's link hash after `prev`. Entries from before disclosures were recorded
    /// hash as they always did (no disclosure field at all).
    pub fn hash(&self, prev: &str) -> String {
        let fields = [
            prev.to_owned(),
            self.recorded_at.timestamp().to_string(),
            self.event.clone(),
            self.action.to_string(),
            self.outcome.clone(),
            self.status.to_string(),
            opt(self.client_ref.as_deref()),
            uid(self.trajectory_id),
            uid(self.referral_id),
            opt(self.subject.as_deref()),
            opt(self.role.as_deref()),
            opt(self.org.as_deref()),
            opt(self.address.as_deref()),
            opt(self.request_id.as_deref()),
            self.purpose.clone(),
        ];
        let disclosed = (!self.disclosed.is_empty()).then(|| disclosed_json(&self.disclosed));
        let mut hasher = Sha256::new();
        for field in fields.iter().chain(disclosed.as_ref()) {
            hasher.update(field.len().to_string().as_bytes());
            hasher.update(b":");
            hasher.update(field.as_bytes());
            hasher.update(b"|");
        }
        data_encoding::HEXLOWER.encode(&hasher.finalize())
    }
}

/// The disclosed trajectories as the chain hashes them (and the log stores them).
pub fn disclosed_json(ids: &[Uuid]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
    format!("[{}]", quoted.join(","))
}
