//! Request and response bodies of the API, separate from the storage entities. Requests
//! reject unknown fields and are parsed into domain types before anything else happens.

pub mod aftercare;
pub mod alert;
pub mod consent;
pub mod contact;
pub mod date;
pub mod figures;
pub mod identifier;
pub mod notification;
pub mod number;
pub mod organisation;
pub mod overview;
pub mod referral;
pub mod routing;
pub mod schema;
pub mod service;
pub mod service_examples;
pub mod team;
pub mod trajectory;
pub mod webhook;
