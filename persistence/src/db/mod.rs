//! Shared plumbing of every store: connections, the one writer and its group commit,
//! write transactions, the write pipeline (idempotency and access log), migrations, paging.

pub mod admin;
pub mod connect;
pub(crate) mod group_commit;
pub mod idempotency;
pub mod migration;
pub mod ops_stats;
pub(crate) mod paging;
#[cfg(test)]
pub(crate) mod scratch_table;
pub(crate) mod write_txn;
