//! The building blocks every capability's request and response bodies share (dates,
//! numbers, schema patterns, contacts); each capability's own DTOs are in its folder.
//! Bodies are separate from the storage entities. Requests
//! reject unknown fields and are parsed into domain types before anything else happens.

pub mod contact;
pub mod date;
pub mod number;
pub mod schema;
