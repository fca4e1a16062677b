//! Consents: what a client agreed to share with which organisation, and withdrawing it.

pub mod store;
