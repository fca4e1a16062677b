//! The catalog: services with their capacity and measured waiting times, and the
//! organisations that offer them (including the registry of informal organisations).

pub(crate) mod measured;
pub mod organisation;
pub(crate) mod row;
pub mod store;
