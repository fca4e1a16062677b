//! Why a key, a checkpoint or an export bundle was refused.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("{what}: not an Ed25519 key in PEM (PKCS #8 / SubjectPublicKeyInfo) or base64: {why}")]
    BadKey { what: &'static str, why: String },
    #[error("the bundle is not readable: {0}")]
    Unreadable(String),
    #[error(
        "the bundle's signature does not verify with a trusted key: its content was changed or it was signed by another key"
    )]
    BundleSignature,
    #[error("checkpoint {number} does not verify: {why}")]
    Checkpoint { number: u64, why: String },
    #[error("the bundle's chain is broken at position {position}: {why}")]
    Chain { position: u64, why: String },
    #[error("entry {id} does not match its link in the chain: it was changed")]
    Entry { id: i64 },
    #[error("the bundle has no checkpoint covering its entries")]
    Uncovered,
}
