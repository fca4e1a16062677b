//! The NEN 7513 access log: who accessed which client's data, when, from where, for what,
//! and with what outcome. Append-only and tamper-evident: every entry carries the SHA-256
//! of its content and of the previous entry, kept in its seal, so changing or removing a
//! row breaks the chain from there on, and a walk names the first broken entry. Signed
//! checkpoints of the chain's head, kept outside the database too, catch what a chain
//! alone cannot: a cut tail, or an edit with every later seal recomputed.
//! Entries are written unchained inside the request's own transaction (a write and its
//! entry commit together) and sealed shortly after by `seal`, which keeps the chain
//! from serialising every request of every process.

mod chain;
mod checkpoint;
mod export;
mod query;
mod record;
mod writer;

#[cfg(test)]
mod tests;

pub use chain::{AccessLog, ChainWalk};
pub use checkpoint::StoredCheckpoints;
pub use export::{Export, ExportQuery};
pub use record::{AccessEntry, AccessRecord, storable};
pub(crate) use record::{defer, removals};
pub use writer::AccessWriter;
