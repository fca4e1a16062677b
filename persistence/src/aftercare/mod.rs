//! Aftercare: the outcome checks owed after a trajectory closes, and recording them.

pub mod store;
