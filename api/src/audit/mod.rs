//! The access log's proof of itself on the server's side: the signing key, the outside
//! copy of every checkpoint, the task that signs checkpoints as the log grows, and the
//! `herstelbrug audit` commands (verify, checkpoint, export, verify-export, keygen,
//! rotate).

pub mod anchor;
pub mod checkpointer;
pub mod commands;
pub mod keys;
