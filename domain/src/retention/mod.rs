//! How long each kind of data is kept, what erasure removes and what it must keep (with
//! the reason for each), and when a legal hold stops both. One table each, read by the
//! retention job, the erasure operation and the documentation.

pub mod erasure;
pub mod policy;
pub mod redaction;

#[cfg(test)]
mod tests;

pub use erasure::{ERASED, KEPT_ON_ERASURE, Kept, REMOVED};
pub use policy::{DataKind, RETENTION, RetentionPolicy, Term};
