//! The access log's proof of itself: how an entry is hashed into the chain, the signed
//! checkpoints that anchor the chain's head outside the database, what a walk of the
//! chain against them finds, and the self-contained export bundle a supervisor checks
//! offline with only a public key.

pub mod bundle;
pub mod checkpoint;
pub mod digest;
pub mod entry;
pub mod error;
pub mod key;
pub mod walk;

#[cfg(test)]
mod tests;

pub use bundle::{Bundle, BundleScope, Link, SignedBundle};
pub use checkpoint::{Checkpoint, CheckpointSignature, trust_through_rotations};
pub use digest::sha256_hex;
pub use entry::{GENESIS, LoggedEntry};
pub use error::AuditError;
pub use key::{AuditKey, PublicKey, TrustedKeys};
pub use walk::{Finding, merge, walk};
